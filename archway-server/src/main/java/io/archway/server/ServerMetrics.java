package io.archway.server;

import java.time.Duration;

/**
 * Hook for metrics (Micrometer/Prometheus comes later): the rebuild loop reports each rebuild here.
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
