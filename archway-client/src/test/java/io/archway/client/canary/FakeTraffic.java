package io.archway.client.canary;

import io.archway.client.ArchwayClient;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;

/**
 * A fake clock, sleeper and metrics source in one: sleeping advances time and sends
 * {@code rps * seconds * canaryWeight / 100} requests to the canary, with an error fraction and a
 * latency that depend on the canary's current weight as read back from the client.
 */
final class FakeTraffic extends Clock implements Sleeper, MetricsSource {

    static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1.0, Double.POSITIVE_INFINITY};

    private final ArchwayClient client;
    Instant now = Instant.parse("2026-11-22T06:00:00Z");
    IntToDoubleFunction rps = w -> 100;
    IntToDoubleFunction errorFraction = w -> 0;
    IntToDoubleFunction latencySeconds = w -> 0.02;
    Runnable onSleep = () -> {};
    int failSampleNumber = -1;
    final List<Duration> sleeps = new ArrayList<>();
    final List<BackendKey> sampled = new ArrayList<>();
    private long requests;
    private long errors;
    private final Map<Double, Long> buckets = new TreeMap<>();

    FakeTraffic(ArchwayClient client) {
        this.client = client;
    }

    int canaryWeight() {
        List<HTTPBackendRef> refs = client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(0).getBackendRefs();
        return refs.stream().filter(b -> b.getName().equals("checkout-v2")).findFirst().orElseThrow().getWeight();
    }

    Duration slept() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        int w = canaryWeight();
        long n = Math.round(rps.applyAsDouble(w) * d.toMillis() / 1000.0 * w / 100.0);
        requests += n;
        errors += Math.round(n * errorFraction.applyAsDouble(w));
        double latency = latencySeconds.applyAsDouble(w);
        for (double b : BOUNDS) {
            buckets.merge(b, latency <= b ? n : 0, Long::sum);
        }
        now = now.plus(d);
        onSleep.run();
    }

    @Override
    public MetricsSample sample(BackendKey backend) {
        sampled.add(backend);
        if (sampled.size() == failSampleNumber) {
            throw new MetricsUnavailableException("connection refused", null);
        }
        return new MetricsSample(requests, errors, buckets);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
