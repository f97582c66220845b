package io.archway.snapshot;

import java.util.Objects;

/** A header condition; the name compares case-insensitively (HTTPHeaderMatch). */
public record HeaderMatch(String name, StringMatchType type, String value) {
    public HeaderMatch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
