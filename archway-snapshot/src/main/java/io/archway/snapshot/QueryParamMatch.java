package io.archway.snapshot;

import java.util.Objects;

/** A query parameter condition; the name compares exactly (HTTPQueryParamMatch). */
public record QueryParamMatch(String name, StringMatchType type, String value) {
    public QueryParamMatch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
