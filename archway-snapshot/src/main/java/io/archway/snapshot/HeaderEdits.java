package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/** The edits of an HTTPHeaderFilter: set replaces, add appends, remove deletes (names case-insensitive). */
public record HeaderEdits(List<Header> set, List<Header> add, List<String> remove) {
    public HeaderEdits {
        set = List.copyOf(Objects.requireNonNull(set, "set"));
        add = List.copyOf(Objects.requireNonNull(add, "add"));
        remove = List.copyOf(Objects.requireNonNull(remove, "remove"));
    }
}
