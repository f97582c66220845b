package io.archway.snapshot;

import java.util.Objects;

/**
 * A path condition. PathPrefix matches whole path elements: {@code /foo} matches {@code /foo} and
 * {@code /foo/bar} but not {@code /foobar}; a trailing slash in the value is ignored.
 */
public record PathMatch(Type type, String value) {
    public enum Type { EXACT, PATH_PREFIX, REGULAR_EXPRESSION }

    public PathMatch {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
