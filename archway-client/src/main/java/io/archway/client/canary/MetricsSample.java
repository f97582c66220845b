package io.archway.client.canary;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Request counters of one backend: total requests, failed ones (5xx responses and gRPC calls ended
 * with a server-error grpc-status) and the latency histogram
 * (cumulative counts by upper bound in seconds, {@code +Inf} as {@link Double#POSITIVE_INFINITY}).
 * A scrape gives cumulative values since the server started; {@link #since} gives the window between two.
 */
public record MetricsSample(long requests, long errors, Map<Double, Long> buckets) {

    public MetricsSample {
        buckets = Collections.unmodifiableMap(new TreeMap<>(buckets == null ? Map.of() : buckets));
    }

    /** No traffic at all. */
    public static MetricsSample empty() {
        return new MetricsSample(0, 0, Map.of());
    }

    /**
     * The traffic between {@code earlier} and this sample. When a counter went down (the server
     * restarted), this sample is the best estimate of the window, as in Prometheus' {@code increase}.
     */
    public MetricsSample since(MetricsSample earlier) {
        if (requests < earlier.requests || errors < earlier.errors) {
            return this;
        }
        Map<Double, Long> delta = new TreeMap<>();
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            long before = earlier.buckets.getOrDefault(e.getKey(), 0L);
            if (e.getValue() < before) {
                return this;
            }
            delta.put(e.getKey(), e.getValue() - before);
        }
        return new MetricsSample(requests - earlier.requests, errors - earlier.errors, delta);
    }

    /** Failed requests per request, 0 without requests. */
    public double errorRate() {
        return requests == 0 ? 0 : (double) errors / requests;
    }

    /** The 99th percentile latency estimated from the buckets; empty without observations. */
    public Optional<Duration> p99() {
        return quantile(0.99);
    }

    /**
     * A quantile estimated like Prometheus' {@code histogram_quantile}: linear interpolation inside
     * the bucket holding the rank; a rank in the {@code +Inf} bucket answers the highest finite bound.
     */
    public Optional<Duration> quantile(double q) {
        if (buckets.isEmpty()) {
            return Optional.empty();
        }
        long total = buckets.values().stream().mapToLong(Long::longValue).max().orElse(0);
        if (total <= 0) {
            return Optional.empty();
        }
        double rank = q * total;
        double lowerBound = 0;
        long lowerCount = 0;
        double highestFinite = 0;
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            double upper = e.getKey();
            long count = e.getValue();
            if (count >= rank) {
                if (Double.isInfinite(upper)) {
                    return Optional.of(seconds(highestFinite));
                }
                if (count == lowerCount) {
                    return Optional.of(seconds(upper));
                }
                double value = lowerBound + (upper - lowerBound) * (rank - lowerCount) / (count - lowerCount);
                return Optional.of(seconds(value));
            }
            if (!Double.isInfinite(upper)) {
                highestFinite = upper;
            }
            lowerBound = upper;
            lowerCount = count;
        }
        return Optional.of(seconds(highestFinite));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1_000_000_000d));
    }
}
