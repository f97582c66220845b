package io.archway.client.canary;

import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a canary run does: shift {@code steps} percent of one rule's traffic to {@code canaryBackend}
 * (the rest to {@code stableBackend}), watching the canary's metrics for {@code interval} after
 * each step.
 *
 * @param route             the route to shift
 * @param rule              which of its rules
 * @param stableBackend     the backendRef name of the current version
 * @param canaryBackend     the backendRef name of the new version
 * @param steps             canary percentages, strictly increasing, each in 1..100
 * @param interval          how long each step is observed
 * @param maxErrorRate      the largest tolerated fraction of failed requests: 5xx responses and gRPC
 *                          calls with a server-error grpc-status (0.01 = 1%)
 * @param maxP99            the largest tolerated 99th percentile latency; null: not checked
 * @param minRequests       requests the canary must receive in a step's window for a verdict; with
 *                          fewer, the step does not advance: it is observed for up to
 *                          {@code extraTrafficWaits} more intervals, then counts as a breach
 * @param extraTrafficWaits extra intervals to wait for traffic before giving up
 */
public record CanaryPlan(RouteRef route, RuleSelector rule, String stableBackend, String canaryBackend,
                         List<Integer> steps, Duration interval, double maxErrorRate, Duration maxP99,
                         long minRequests, int extraTrafficWaits) {

    /** The default steps: 5, 10, 25, 50, 75, 100. */
    public static final List<Integer> DEFAULT_STEPS = List.of(5, 10, 25, 50, 75, 100);

    public CanaryPlan {
        Objects.requireNonNull(route, "route");
        rule = rule == null ? RuleSelector.auto() : rule;
        Objects.requireNonNull(stableBackend, "stableBackend");
        Objects.requireNonNull(canaryBackend, "canaryBackend");
        if (stableBackend.equals(canaryBackend)) {
            throw new IllegalArgumentException("stable and canary backend are both '" + stableBackend + "'");
        }
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no steps");
        }
        int previous = 0;
        for (int s : steps) {
            if (s < 1 || s > 100 || s <= previous) {
                throw new IllegalArgumentException("steps must be strictly increasing percentages in 1..100, got " + steps);
            }
            previous = s;
        }
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            throw new IllegalArgumentException("maxErrorRate must be a fraction in 0..1, got " + maxErrorRate);
        }
        if (maxP99 != null && (maxP99.isNegative() || maxP99.isZero())) {
            throw new IllegalArgumentException("maxP99 must be positive");
        }
        if (minRequests < 0 || extraTrafficWaits < 0) {
            throw new IllegalArgumentException("minRequests and extraTrafficWaits must be >= 0");
        }
    }

    /**
     * A plan with the defaults: automatic rule, steps 5..100, 30 s interval, 1% errors, no p99
     * limit, at least one request per step, one extra interval to wait for traffic.
     */
    public static CanaryPlan of(RouteRef route, String stableBackend, String canaryBackend) {
        return new CanaryPlan(route, RuleSelector.auto(), stableBackend, canaryBackend, DEFAULT_STEPS,
                Duration.ofSeconds(30), 0.01, null, 1, 1);
    }

    public CanaryPlan withRule(RuleSelector r) {
        return new CanaryPlan(route, r, stableBackend, canaryBackend, steps, interval, maxErrorRate, maxP99, minRequests, extraTrafficWaits);
    }

    public CanaryPlan withSteps(List<Integer> s) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, s, interval, maxErrorRate, maxP99, minRequests, extraTrafficWaits);
    }

    public CanaryPlan withInterval(Duration i) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, steps, i, maxErrorRate, maxP99, minRequests, extraTrafficWaits);
    }

    public CanaryPlan withMaxErrorRate(double r) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, steps, interval, r, maxP99, minRequests, extraTrafficWaits);
    }

    public CanaryPlan withMaxP99(Duration p) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, steps, interval, maxErrorRate, p, minRequests, extraTrafficWaits);
    }

    public CanaryPlan withMinRequests(long n) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, steps, interval, maxErrorRate, maxP99, n, extraTrafficWaits);
    }

    public CanaryPlan withExtraTrafficWaits(int n) {
        return new CanaryPlan(route, rule, stableBackend, canaryBackend, steps, interval, maxErrorRate, maxP99, minRequests, n);
    }
}
