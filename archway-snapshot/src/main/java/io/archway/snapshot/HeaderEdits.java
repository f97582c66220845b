package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/** The edits of an HTTPHeaderFilter, applied in the order remove, set, add... see the proxy. */
public record HeaderEdits(List<Header> set, List<Header> add, List<String> remove) {
    public HeaderEdits {
        set = List.copyOf(Objects.requireNonNull(set, "set"));
        add = List.copyOf(Objects.requireNonNull(add, "add"));
        remove = List.copyOf(Objects.requireNonNull(remove, "remove"));
    }
}
