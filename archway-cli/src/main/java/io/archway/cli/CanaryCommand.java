package io.archway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.archway.client.AdminAddress;
import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.archway.client.canary.CanaryArgs;
import io.archway.client.canary.CanaryPlan;
import io.archway.client.canary.CanaryResult;
import io.archway.client.canary.CanaryRunner;
import io.archway.client.canary.CanaryState;
import io.archway.client.canary.CanaryStateStore;
import io.archway.client.canary.PrometheusMetricsSource;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code archway canary run|status|abort}. */
@Command(name = "canary", mixinStandardHelpOptions = true,
        description = {"Progressive delivery: shift a route's traffic to a canary backend step by step, judging the"
                + " canary from the gateway's own metrics between steps; roll back to 100%% stable on a breach."},
        subcommands = {CanaryCommand.Run.class, CanaryCommand.Status.class, CanaryCommand.Abort.class},
        footer = ExitCodes.HELP_FOOTER)
final class CanaryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: run, status or abort");
    }

    /** Where runs keep their state: --state-dir, else $ARCHWAY_CANARY_DIR, else ~/.archway/canary. */
    static final class StateDir {
        @Option(names = "--state-dir", paramLabel = "DIR", description = "Where canary runs keep their state"
                + " (default: $ARCHWAY_CANARY_DIR, else ~/.archway/canary).")
        Path dir;

        CanaryStateStore store() {
            if (dir != null) {
                return new CanaryStateStore(dir);
            }
            String env = System.getenv("ARCHWAY_CANARY_DIR");
            return new CanaryStateStore(env != null && !env.isBlank() ? Path.of(env) : CanaryStateStore.defaultDirectory());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
            description = {"Runs a canary: for each step sets canary=STEP%% / stable=(100-STEP)%%, waits the interval,"
                    + " then reads archway_requests_total, archway_grpc_requests_total and"
                    + " archway_request_duration_seconds of the canary backend from the gateway's /metrics. A rate of"
                    + " failed requests (5xx, or gRPC calls with a server-error grpc-status such as UNAVAILABLE) above"
                    + " --max-error-rate, a p99 above --max-p99, fewer"
                    + " than --min-requests (after one extra interval) or unreadable metrics roll the rule back to"
                    + " 100%% stable. Ctrl-C, or 'archway canary abort ROUTE' from another terminal, aborts with the"
                    + " same rollback.",
                    "Example: archway canary run checkout --stable checkout-v1 --canary checkout-v2 --config DIR"})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROUTE", description = WeightsCommand.ROUTE_HELP)
        String route;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = "--stable", required = true, paramLabel = "SVC", description = "backendRef name of the current version.")
        String stable;

        @Option(names = "--canary", required = true, paramLabel = "SVC", description = "backendRef name of the new version.")
        String canary;

        @Option(names = "--steps", defaultValue = "5,10,25,50,75,100", paramLabel = "P,P,...",
                description = "Canary percentages, increasing (default: ${DEFAULT-VALUE}).")
        String steps;

        @Option(names = "--interval", defaultValue = "30s", paramLabel = "DURATION",
                description = "How long each step is observed, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--max-error-rate", defaultValue = "1%", paramLabel = "RATE",
                description = "Largest tolerated share of failed requests (5xx, gRPC server errors) of the canary, e.g. 1%% or 0.01"
                        + " (default: ${DEFAULT-VALUE}).")
        String maxErrorRate;

        @Option(names = "--max-p99", paramLabel = "DURATION", description = "Largest tolerated p99 latency of the"
                + " canary, e.g. 500ms (default: not checked).")
        String maxP99;

        @Option(names = "--min-requests", defaultValue = "1", paramLabel = "N",
                description = "Requests the canary must see in a step to judge it (default: ${DEFAULT-VALUE}).")
        long minRequests;

        @Option(names = "--traffic-waits", defaultValue = "1", paramLabel = "N",
                description = "Extra intervals to wait for --min-requests before it counts as a breach"
                        + " (default: ${DEFAULT-VALUE}).")
        int trafficWaits;

        @ArgGroup(exclusive = true)
        WeightsCommand.Set.RuleOption rule = new WeightsCommand.Set.RuleOption();

        @Option(names = "--metrics", paramLabel = "URL", description = "The gateway's Prometheus endpoint"
                + " (default: http://<--admin>/metrics).")
        String metrics;

        @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
                description = "auto (a progress bar on a terminal, plain lines otherwise), bar or plain.")
        CanaryProgress.Style progress;

        @Mixin
        StateDir state;

        @Mixin
        ClientOptions where;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            CanaryPlan plan;
            try {
                plan = new CanaryPlan(Routes.parse(route, namespace), rule.index != null ? RuleSelector.index(rule.index)
                        : rule.name != null ? RuleSelector.named(rule.name) : RuleSelector.auto(), stable, canary,
                        CanaryArgs.steps(steps), CanaryArgs.duration(interval), CanaryArgs.rate(maxErrorRate),
                        maxP99 == null ? null : CanaryArgs.duration(maxP99), minRequests, trafficWaits);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            URI metricsBase = metrics != null ? URI.create(metrics.replaceAll("/+$", "").replaceAll("/metrics$", ""))
                    : AdminAddress.parse(where.admin);
            try (ClientOptions.Connection c = where.open(spec.commandLine(), true)) {
                RouteRef ref = Routes.find(c.client(), route, namespace).ref();
                plan = new CanaryPlan(ref, plan.rule(), plan.stableBackend(), plan.canaryBackend(), plan.steps(),
                        plan.interval(), plan.maxErrorRate(), plan.maxP99(), plan.minRequests(), plan.extraTrafficWaits());
                CanaryStateStore store = state.store();
                spec.commandLine().getErr().println("metrics: " + metricsBase + "/metrics; state: " + store.directory());
                spec.commandLine().getErr().flush();
                PrometheusMetricsSource source = new PrometheusMetricsSource(metricsBase);
                try {
                    // Before any weight moves: the judge must be readable.
                    source.sample(new io.archway.client.canary.BackendKey(ref.namespace(), plan.canaryBackend()));
                } catch (RuntimeException e) {
                    throw new ClientOptions.CliFailure(ExitCodes.FAILURE, "cannot read the gateway's metrics at "
                            + metricsBase + "/metrics (" + (e.getCause() != null ? e.getCause() : e.getMessage())
                            + "); no weight was changed. Use --metrics URL or --admin HOST:PORT");
                }
                // Ctrl-C (JVM shutdown) interrupts this thread, which the runner treats as an abort: it
                // rolls back, and the hook then ends the process with the abort's exit code.
                Thread self = Thread.currentThread();
                java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(-1);
                Thread hook = new Thread(() -> {
                    self.interrupt();
                    try {
                        if (finished.await(20, java.util.concurrent.TimeUnit.SECONDS) && exit.get() >= 0) {
                            out.flush();
                            Runtime.getRuntime().halt(exit.get());
                        }
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                }, "archway-canary-abort");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    CanaryResult result;
                    try (CanaryProgress p = new CanaryProgress(out, progress, plan)) {
                        result = new CanaryRunner(c.client(), source, p, store).run(plan);
                    }
                    int code = switch (result.outcome()) {
                        case PROMOTED -> {
                            out.println("PROMOTED: " + result.reason());
                            yield ExitCodes.OK;
                        }
                        case ROLLED_BACK -> {
                            out.println("ROLLED BACK to 100%% %s: %s".formatted(plan.stableBackend(), result.reason()));
                            yield ExitCodes.ROLLED_BACK;
                        }
                        case ABORTED -> {
                            out.println("ABORTED, back to 100%% %s: %s".formatted(plan.stableBackend(), result.reason()));
                            yield ExitCodes.ABORTED;
                        }
                    };
                    out.flush();
                    exit.set(code);
                    return code;
                } finally {
                    finished.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException ignored) {
                        // shutting down: the hook ends the process
                    }
                    Thread.interrupted();
                }
            } finally {
                out.flush();
            }
        }
    }

    /** Finds the state of ROUTE: the kind as typed, else the first of {@link RouteRef#KINDS} with one. */
    static Optional<CanaryState> find(CanaryStateStore store, String route, String namespace) {
        RouteRef ref = Routes.parse(route, namespace);
        if (Routes.explicitKind(route)) {
            return store.read(ref);
        }
        return RouteRef.KINDS.stream().map(k -> store.read(new RouteRef(k, ref.namespace(), ref.name())))
                .flatMap(Optional::stream).findFirst();
    }

    static void printMode(CommandSpec spec, CanaryStateStore store) {
        spec.commandLine().getErr().println("mode: canary state directory " + store.directory()
                + " (no directory or cluster access needed)");
        spec.commandLine().getErr().flush();
    }

    static String phase(CanaryState s) {
        return s.stale() ? "RUNNING?(runner pid " + s.pid() + " gone)" : s.phase().name();
    }

    @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
            description = "Shows the progress of canary runs (all of them, or one route's), from any terminal.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "ROUTE", description = WeightsCommand.ROUTE_HELP)
        String route;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table (default), yaml or json.")
        Printer.Format output;

        @Mixin
        StateDir state;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CanaryStateStore store = state.store();
            printMode(spec, store);
            List<CanaryState> states;
            if (route != null) {
                Optional<CanaryState> s = find(store, route, namespace);
                if (s.isEmpty()) {
                    err.println("error: no canary of " + Routes.parse(route, namespace).namespace() + "/"
                            + Routes.parse(route, namespace).name() + " has run (state directory " + store.directory() + ")");
                    err.flush();
                    return ExitCodes.INVALID;
                }
                states = List.of(s.get());
            } else {
                states = store.list();
            }
            if (output != Printer.Format.table) {
                ObjectMapper m = new ObjectMapper().registerModule(new JavaTimeModule())
                        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
                JsonNode node = route != null ? m.valueToTree(states.get(0)) : m.createObjectNode()
                        .set("items", m.valueToTree(states));
                if (node.isObject() && route != null) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("stale", states.get(0).stale());
                }
                out.print(Printer.render(node, output));
                out.flush();
                return ExitCodes.OK;
            }
            if (states.isEmpty()) {
                err.println("No canary runs (state directory " + store.directory() + ").");
                err.flush();
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ROUTE", "PHASE", "STEP", "CANARY", "STABLE", "UPDATED", "DETAIL"});
            for (CanaryState s : states) {
                rows.add(new String[] {s.routeKind().kind() + " " + s.namespace() + "/" + s.name(), phase(s),
                        s.step() < 0 ? "-" : (s.step() + 1) + "/" + s.steps().size(),
                        s.canary() + " " + s.canaryWeight() + "%", s.stable() + " " + (100 - s.canaryWeight()) + "%",
                        ago(s.updatedAt()), s.reason() == null ? "" : s.reason()});
            }
            out.print(Printer.format(rows));
            out.flush();
            return ExitCodes.OK;
        }

        private static String ago(Instant t) {
            if (t == null) {
                return "-";
            }
            long s = Math.max(0, Duration.between(t, Instant.now()).getSeconds());
            return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
            description = "Asks the running canary of ROUTE (in another terminal) to stop; it rolls the rule back to"
                    + " 100%% stable within about a second and exits with code 5.")
    static final class Abort implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROUTE", description = WeightsCommand.ROUTE_HELP)
        String route;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = "--wait", paramLabel = "DURATION", arity = "0..1", fallbackValue = "15s",
                description = "Wait until the runner has rolled back (default when given: 15s).")
        String wait;

        @Mixin
        StateDir state;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CanaryStateStore store = state.store();
            printMode(spec, store);
            Optional<CanaryState> s = find(store, route, namespace);
            if (s.isEmpty() || s.get().phase() != CanaryState.Phase.RUNNING) {
                err.println("error: no canary of " + Routes.parse(route, namespace).namespace() + "/"
                        + Routes.parse(route, namespace).name() + " is running"
                        + s.map(x -> " (the last one ended " + x.phase() + ": " + x.reason() + ")").orElse(""));
                err.flush();
                return ExitCodes.INVALID;
            }
            CanaryState st = s.get();
            if (st.stale()) {
                err.println("error: the runner of " + st.route() + " (pid " + st.pid() + ") is gone; the weights may be"
                        + " mid-way (" + st.canary() + " " + st.canaryWeight() + "%). Put them back with: archway weights"
                        + " set " + st.namespace() + "/" + st.name() + " " + st.stable() + "=100 " + st.canary() + "=0");
                err.flush();
                return ExitCodes.FAILURE;
            }
            store.requestAbort(st.routeRef());
            out.println("abort requested for " + st.route() + " (runner pid " + st.pid() + ", " + st.canary() + " at "
                    + st.canaryWeight() + "%); it rolls back to 100% " + st.stable() + " within about a second");
            out.flush();
            if (wait == null) {
                return ExitCodes.OK;
            }
            long deadline = System.nanoTime() + CanaryArgs.duration(wait).toNanos();
            while (System.nanoTime() < deadline) {
                Optional<CanaryState> now = store.read(st.routeRef());
                if (now.isPresent() && now.get().phase() != CanaryState.Phase.RUNNING) {
                    out.println(now.get().phase() + ": " + now.get().reason());
                    out.flush();
                    return ExitCodes.OK;
                }
                Thread.sleep(100);
            }
            err.println("error: the runner did not finish within " + wait);
            err.flush();
            return ExitCodes.FAILURE;
        }
    }
}
