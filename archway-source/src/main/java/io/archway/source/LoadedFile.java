package io.archway.source;

import io.archway.translate.Diagnostic;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of reading one manifest file.
 *
 * @param file the file as shown to operators (the configured directory joined with the relative path)
 * @param objects the objects we serve, in document order (empty when {@code errors} is not)
 * @param errors problems that make the whole file unusable; the store then keeps the file's last good objects
 * @param warnings problems that do not reject the file (e.g. a Gateway API kind we do not serve yet)
 * @param unserved count per kind of Gateway API objects we do not serve yet (GRPCRoute, BackendTLSPolicy, ...)
 * @param skipped number of documents of other kinds (Deployment, Pod, ...) ignored
 */
public record LoadedFile(String file, List<SourcedObject> objects, List<Diagnostic> errors,
                         List<Diagnostic> warnings, Map<String, Integer> unserved, int skipped) {
    public LoadedFile {
        Objects.requireNonNull(file, "file");
        objects = List.copyOf(Objects.requireNonNull(objects, "objects"));
        errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
        warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
        unserved = Map.copyOf(Objects.requireNonNull(unserved, "unserved"));
    }

    /** True when the file parsed: its objects may replace the previous ones. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
