package io.archway.translate;

import io.archway.snapshot.RoutingSnapshot;
import java.util.List;
import java.util.Objects;

/** What one translation produced: the snapshot to serve, the status to publish, and diagnostics. */
public record Translation(RoutingSnapshot snapshot, StatusReport status, List<Diagnostic> diagnostics) {
    public Translation {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(status, "status");
        diagnostics = List.copyOf(Objects.requireNonNull(diagnostics, "diagnostics"));
    }
}
