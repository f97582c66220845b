package io.archway.snapshot;

import java.util.Objects;

/**
 * HTTPPathModifier. REPLACE_PREFIX_MATCH replaces the part of the path that the route's PathPrefix
 * match matched, so it is only valid on an entry whose match is a PathPrefix.
 */
public record PathModifier(Type type, String value) {
    public enum Type { REPLACE_FULL_PATH, REPLACE_PREFIX_MATCH }

    public PathModifier {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
