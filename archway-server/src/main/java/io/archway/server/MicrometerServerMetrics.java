package io.archway.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control-plane metrics: {@code archway_snapshot_version} (the served snapshot's version) and
 * {@code archway_reloads_total{outcome="applied"|"rejected"}} (a rebuild the data plane served, or
 * one it refused / that could not be translated).
 */
public final class MicrometerServerMetrics implements ServerMetrics {
    private final AtomicLong version = new AtomicLong();
    private final Counter applied;
    private final Counter rejected;

    public MicrometerServerMetrics(MeterRegistry registry) {
        Gauge.builder("archway.snapshot.version", version, AtomicLong::doubleValue)
                .description("Version of the routing snapshot being served").register(registry);
        applied = Counter.builder("archway.reloads").description("Rebuilds, by outcome").tag("outcome", "applied")
                .register(registry);
        rejected = Counter.builder("archway.reloads").description("Rebuilds, by outcome").tag("outcome", "rejected")
                .register(registry);
    }

    @Override
    public void rebuilt(long v, boolean served, Duration took, int errors, int warnings) {
        if (served) {
            version.set(v);
            applied.increment();
        } else {
            rejected.increment();
        }
    }

    /** The served version as last reported. */
    public long snapshotVersion() {
        return version.get();
    }
}
