package io.archway.translate.compile;

import io.archway.snapshot.HttpRouteEntry;
import java.time.Instant;
import java.util.Objects;

/** A route entry with what precedence needs beyond it: its route's creation timestamp (null if unknown). */
public record RankedEntry(HttpRouteEntry entry, Instant routeCreated) {
    public RankedEntry {
        Objects.requireNonNull(entry, "entry");
    }
}
