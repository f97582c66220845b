package io.archway.client.canary;

/** Where the canary reads a backend's cumulative request metrics from. */
public interface MetricsSource {

    /**
     * The backend's cumulative counters now, summed over every route, rule and port that sends to it.
     *
     * @throws MetricsUnavailableException when the metrics cannot be read
     */
    MetricsSample sample(BackendKey backend);
}
