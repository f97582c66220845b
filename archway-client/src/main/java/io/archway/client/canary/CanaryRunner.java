package io.archway.client.canary;

import io.archway.client.Errors;
import io.archway.client.ArchwayClient;
import io.archway.client.ArchwayClientException;
import io.archway.client.InvalidWeightsException;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteRules;
import io.archway.client.WeightAssigner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link CanaryPlan}. For each step it sets the rule's weights (canary = step,
 * stable = 100 - step), waits the interval, then judges the canary backend's traffic in that
 * window from the {@link MetricsSource}: error rate (5xx, or gRPC server-error statuses) above the limit, or p99 above the limit, is a
 * breach; fewer requests than the minimum means no judgement, so the step does not advance and is
 * watched for up to {@code extraTrafficWaits} more intervals, after which the lack of traffic
 * counts as a breach (the safe choice: never promote what was not seen to work). Unreadable
 * metrics are a breach too. On a breach, or an abort request, the rule goes back to
 * stable = 100, canary = 0.
 *
 * <p>Progress goes to the {@link CanaryListener} and, when a {@link CanaryStateStore} is given, to
 * a state file that {@code canary status} reads; an abort requested through the store is noticed
 * within {@code pollEvery} while waiting.
 */
public final class CanaryRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CanaryRunner.class);

    private final ArchwayClient client;
    private final MetricsSource metrics;
    private final Clock clock;
    private final Sleeper sleeper;
    private final CanaryListener listener;
    private final CanaryStateStore store;
    private final Duration pollEvery;

    /** A runner on the system clock, sleeping for real, checking for aborts every second. */
    public CanaryRunner(ArchwayClient client, MetricsSource metrics, CanaryListener listener, CanaryStateStore store) {
        this(client, metrics, Clock.systemUTC(), Sleeper.SYSTEM, listener, store, Duration.ofSeconds(1));
    }

    /**
     * @param store     where state and abort requests live; null: no persisted state, no abort
     * @param pollEvery how often to check for an abort request while waiting
     */
    public CanaryRunner(ArchwayClient client, MetricsSource metrics, Clock clock, Sleeper sleeper,
                        CanaryListener listener, CanaryStateStore store, Duration pollEvery) {
        this.client = Objects.requireNonNull(client, "client");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.listener = listener == null ? CanaryListener.NONE : listener;
        this.store = store;
        this.pollEvery = pollEvery == null || pollEvery.isZero() || pollEvery.isNegative() ? Duration.ofSeconds(1) : pollEvery;
    }

    /**
     * Runs the plan to its end. An interrupt of the calling thread counts as an abort request.
     *
     * @throws ResourceNotFoundException when the route does not exist
     * @throws InvalidWeightsException   when the rule or a backend cannot be found (nothing was changed)
     * @throws ArchwayClientException    when another live process runs a canary of the same route (nothing was changed)
     * @throws ArchwayClientException    when even the rollback failed (the message says so)
     */
    public CanaryResult run(CanaryPlan plan) {
        return new Run(plan).execute();
    }

    /** The state of one run. */
    private final class Run {
        private final CanaryPlan plan;
        private final List<StepObservation> observations = new ArrayList<>();
        private final Instant startedAt = clock.instant();
        private BackendKey canaryKey;
        private int step = -1;
        private int weight;

        Run(CanaryPlan plan) {
            this.plan = plan;
        }

        CanaryResult execute() {
            canaryKey = resolveCanary();
            if (store != null) {
                store.read(plan.route()).filter(s -> s.phase() == CanaryState.Phase.RUNNING && !s.stale()
                        && s.pid() != ProcessHandle.current().pid()).ifPresent(s -> {
                            throw new ArchwayClientException("a canary of " + plan.route() + " is already running (pid " + s.pid()
                                    + ", at " + s.canaryWeight() + "%); abort it first");
                        });
                store.clearAbort(plan.route());
            }
            emit(CanaryEvent.Type.STARTED, null, "canary of " + plan.route() + ": " + plan.canaryBackend()
                    + " against " + plan.stableBackend() + ", steps " + plan.steps() + ", " + human(plan.interval()) + " each");
            try {
                for (step = 0; step < plan.steps().size(); step++) {
                    if (abortRequested()) {
                        return abort();
                    }
                    int target = plan.steps().get(step);
                    try {
                        setSplit(target);
                    } catch (ArchwayClientException e) {
                        return rollback("could not set weights " + target + "/" + (100 - target) + ": " + Errors.describe(e));
                    }
                    weight = target;
                    emit(CanaryEvent.Type.STEP_STARTED, null, "step " + (step + 1) + "/" + plan.steps().size() + ": "
                            + plan.canaryBackend() + " " + target + "%, " + plan.stableBackend() + " " + (100 - target) + "%");
                    String breach = observeStep();
                    if (breach == ABORT) {
                        return abort();
                    }
                    if (breach != null) {
                        return rollback(breach);
                    }
                }
            } finally {
                if (store != null) {
                    try {
                        store.clearAbort(plan.route());
                    } catch (RuntimeException e) {
                        // Never let a leftover abort file hide the outcome (e.g. "ROLLBACK FAILED").
                        LOG.warn("could not clear the abort request of {}: {}", plan.route(), Errors.describe(e));
                    }
                }
            }
            String reason = "all " + plan.steps().size() + " steps passed; " + plan.canaryBackend() + " carries " + weight + "%";
            emit(CanaryEvent.Type.PROMOTED, null, reason);
            step = -1;
            save(CanaryState.Phase.PROMOTED, reason);
            return new CanaryResult(CanaryOutcome.PROMOTED, reason, observations, weight);
        }

        private static final String ABORT = "\u0000abort";

        /** Observes the current step; null when it passed, ABORT, or the breach reason. */
        private String observeStep() {
            MetricsSample baseline;
            try {
                baseline = metrics.sample(canaryKey);
            } catch (RuntimeException e) {
                return "cannot read metrics: " + Errors.describe(e);
            }
            Duration window = Duration.ZERO;
            for (int wait = 0; ; wait++) {
                if (!sleepWatchingAbort(plan.interval())) {
                    return ABORT;
                }
                window = window.plus(plan.interval());
                MetricsSample delta;
                try {
                    delta = metrics.sample(canaryKey).since(baseline);
                } catch (RuntimeException e) {
                    return "cannot read metrics: " + Errors.describe(e);
                }
                StepObservation o = judge(delta, window, wait < plan.extraTrafficWaits());
                observations.add(o);
                switch (o.verdict()) {
                    case PASSED -> {
                        emit(CanaryEvent.Type.STEP_PASSED, o, "step " + (step + 1) + " passed: " + summary(o));
                        return null;
                    }
                    case INSUFFICIENT_TRAFFIC -> emit(CanaryEvent.Type.WAITING_FOR_TRAFFIC, o, o.detail() + "; not advancing, watching "
                            + human(plan.interval()) + " more");
                    case BREACH -> {
                        emit(CanaryEvent.Type.BREACH, o, o.detail());
                        return o.detail();
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        private StepObservation judge(MetricsSample d, Duration window, boolean mayWaitMore) {
            Duration p99 = d.p99().orElse(null);
            if (d.requests() < plan.minRequests()) {
                String detail = "insufficient traffic: " + d.requests() + " request(s) to " + canaryKey + " in " + human(window)
                        + ", need " + plan.minRequests();
                return new StepObservation(step, weight, d.requests(), d.errors(), d.errorRate(), p99, window,
                        mayWaitMore ? Verdict.INSUFFICIENT_TRAFFIC : Verdict.BREACH, detail);
            }
            if (d.errorRate() > plan.maxErrorRate()) {
                return new StepObservation(step, weight, d.requests(), d.errors(), d.errorRate(), p99, window, Verdict.BREACH,
                        "error rate " + percent(d.errorRate()) + " (" + d.errors() + "/" + d.requests() + " failed) exceeds "
                                + percent(plan.maxErrorRate()) + " at " + weight + "%");
            }
            if (plan.maxP99() != null && d.requests() > 0) {
                if (p99 == null) {
                    return new StepObservation(step, weight, d.requests(), d.errors(), d.errorRate(), null, window, Verdict.BREACH,
                            "no latency histogram for " + canaryKey + ", cannot check p99 <= " + human(plan.maxP99()));
                }
                if (p99.compareTo(plan.maxP99()) > 0) {
                    return new StepObservation(step, weight, d.requests(), d.errors(), d.errorRate(), p99, window, Verdict.BREACH,
                            "p99 latency " + human(p99) + " exceeds " + human(plan.maxP99()) + " at " + weight + "%");
                }
            }
            return new StepObservation(step, weight, d.requests(), d.errors(), d.errorRate(), p99, window, Verdict.PASSED, "ok");
        }

        private CanaryResult rollback(String reason) {
            restoreStable(reason);
            String message = "rolled back to 100% " + plan.stableBackend() + ": " + reason;
            emit(CanaryEvent.Type.ROLLED_BACK, null, message);
            save(CanaryState.Phase.ROLLED_BACK, message);
            return new CanaryResult(CanaryOutcome.ROLLED_BACK, reason, observations, 0);
        }

        private CanaryResult abort() {
            String reason = "aborted on request";
            restoreStable(reason);
            emit(CanaryEvent.Type.ABORTED, null, reason + "; back to 100% " + plan.stableBackend());
            save(CanaryState.Phase.ABORTED, reason);
            return new CanaryResult(CanaryOutcome.ABORTED, reason, observations, 0);
        }

        private void restoreStable(String why) {
            // An interrupt (Ctrl-C) must not stop the rollback itself.
            boolean interrupted = Thread.interrupted();
            try {
                Map<String, Integer> w = new LinkedHashMap<>();
                w.put(plan.stableBackend(), 100);
                w.put(plan.canaryBackend(), 0);
                client.setWeights(plan.route(), plan.rule(), w);
                weight = 0;
            } catch (RuntimeException e) {
                String message = "ROLLBACK FAILED after '" + why + "': " + plan.route() + " may still send " + weight + "% to "
                        + plan.canaryBackend() + ": " + Errors.describe(e);
                save(CanaryState.Phase.ROLLED_BACK, message);
                throw new ArchwayClientException(message, e);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void setSplit(int canaryPercent) {
            Map<String, Integer> w = new LinkedHashMap<>();
            w.put(plan.canaryBackend(), canaryPercent);
            w.put(plan.stableBackend(), 100 - canaryPercent);
            client.setWeights(plan.route(), plan.rule(), w);
        }

        /** Sleeps {@code d} in slices, false as soon as an abort is requested or the thread is interrupted. */
        private boolean sleepWatchingAbort(Duration d) {
            Duration left = d;
            while (left.compareTo(Duration.ZERO) > 0) {
                Duration slice = left.compareTo(pollEvery) < 0 ? left : pollEvery;
                try {
                    sleeper.sleep(slice);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                left = left.minus(slice);
                if (abortRequested()) {
                    return false;
                }
            }
            return true;
        }

        private boolean abortRequested() {
            return Thread.currentThread().isInterrupted() || (store != null && store.abortRequested(plan.route()));
        }

        private BackendKey resolveCanary() {
            HasMetadata route = client.getRoute(plan.route()).orElseThrow(() -> new ResourceNotFoundException(plan.route() + " not found"));
            List<RouteRules.Rule> rules = RouteRules.of(route);
            RouteRules.Rule rule = rules.get(WeightAssigner.chooseRule(plan.route(), rules, plan.rule()));
            List<String> names = rule.backends().stream().map(RouteRules.Backend::name).toList();
            for (String b : List.of(plan.stableBackend(), plan.canaryBackend())) {
                if (!names.contains(b)) {
                    throw new InvalidWeightsException("backend '" + b + "' is not in the chosen rule of " + plan.route()
                            + "; known backends: " + String.join(", ", names));
                }
            }
            RouteRules.Backend canary = rule.backends().get(names.indexOf(plan.canaryBackend()));
            return new BackendKey(canary.namespace(), canary.name());
        }

        private void emit(CanaryEvent.Type type, StepObservation o, String message) {
            listener.onEvent(new CanaryEvent(clock.instant(), type, step, weight, o, message));
            if (type != CanaryEvent.Type.ROLLED_BACK && type != CanaryEvent.Type.ABORTED && type != CanaryEvent.Type.PROMOTED) {
                save(CanaryState.Phase.RUNNING, message);
            }
        }

        private void save(CanaryState.Phase phase, String reason) {
            if (store == null) {
                return;
            }
            store.save(new CanaryState(plan.route().toString(), plan.route().kind(), plan.route().namespace(), plan.route().name(),
                    plan.stableBackend(), plan.canaryBackend(), plan.steps(), step, weight, phase, reason,
                    startedAt, clock.instant(), ProcessHandle.current().pid(), observations));
        }
    }

    private static String summary(StepObservation o) {
        return o.requests() + " requests, " + percent(o.errorRate()) + " failed" + (o.p99() == null ? "" : ", p99 " + human(o.p99()));
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String human(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
    }
}
