package io.archway.server;

import java.time.Duration;

/**
 * Hook for control-plane metrics: the rebuild loop reports each rebuild here. {@link ArchwayServer}
 * always feeds {@link MicrometerServerMetrics} ({@code archway_snapshot_version},
 * {@code archway_reloads_total}, served at {@code GET /metrics}) and, when given one, this hook too.
 * Implementations must be cheap and must not throw.
 */
public interface ServerMetrics {
    ServerMetrics NOOP = new ServerMetrics() {
    };

    /**
     * @param version the snapshot version translated
     * @param served whether the data plane accepted it
     * @param errors error diagnostics (load + translation)
     * @param warnings warning diagnostics
     */
    default void rebuilt(long version, boolean served, Duration took, int errors, int warnings) {
    }
}
