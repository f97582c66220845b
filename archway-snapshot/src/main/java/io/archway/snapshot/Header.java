package io.archway.snapshot;

import java.util.Objects;

/** A header name and value, as written in a filter. */
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
