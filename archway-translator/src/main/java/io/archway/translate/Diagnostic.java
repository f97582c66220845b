package io.archway.translate;

import java.util.Objects;

/**
 * A problem found in the input, for operators: which resource, which field, what is wrong and,
 * when the source knows it, the file and line. Invalid input never throws; it becomes a status
 * condition on the resource plus one of these.
 *
 * @param field a JSON-path-like field name, e.g. {@code spec.rules[0].backendRefs[1].name}; may be ""
 * @param location null when unknown (e.g. objects from a cluster)
 */
public record Diagnostic(Severity severity, ResourceKey resource, String field, String message,
                         SourceLocation location) {
    public enum Severity { ERROR, WARNING }

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (location != null ? location + ": " : "") + severity.name().toLowerCase(java.util.Locale.ROOT) + ": "
                + resource + (field.isEmpty() ? "" : " " + field) + ": " + message;
    }
}
