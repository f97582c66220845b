package io.archway.cli;

import io.archway.kinds.ResourceKind;
import io.archway.provision.GatewayProvisioner;
import io.archway.provision.ProvisionerConfig;
import io.archway.server.AdminServer;
import io.archway.proxy.LeakDetection;
import io.archway.server.ArchwayServer;
import io.archway.server.KubernetesMode;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.TranslatorOptions;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code archway serve}: runs the gateway until SIGTERM / Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves the Gateway API manifests in a directory (--config), or a cluster's (--kubernetes);"
                + " edits are live within a second.",
                "A file that does not parse keeps its last good content serving; the error is logged and shown by"
                        + " 'archway get' and GET /api/v1/diagnostics."},
        footer = ExitCodes.HELP_FOOTER)
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("archway");
    /** How often the provisioner checks every Gateway's data plane beside the informers' events. */
    private static final Duration PROVISIONING_RESYNC = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "DIR",
            description = "Directory of manifests (.yaml, .yml, .json), read recursively.")
    Path config;

    @Option(names = "--kubernetes", description = "Read the cluster instead of a directory (in-cluster config or"
            + " kubeconfig, as fabric8 resolves them) and write status back (one replica, elected on a Lease).")
    boolean kubernetes;

    @Option(names = "--namespaces", split = ",", paramLabel = "NS[,NS...]",
            description = "With --kubernetes: the namespaces to watch (default: all).")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--provisioner-config", paramLabel = "FILE",
            description = "With --kubernetes: give each Gateway of our class a data plane of its own (a Deployment,"
                    + " Service, ServiceAccount and ClusterRoleBinding named after it), configured by FILE (YAML; the"
                    + " Helm chart's ConfigMap). Without it, this process is the one shared data plane (static mode).")
    Path provisionerConfig;

    @Option(names = "--gateway", paramLabel = "NS/NAME",
            description = "With --kubernetes: serve this Gateway only, reading the cluster and writing nothing (a data-plane"
                    + " pod the controller provisioned for it; the controller writes the status).")
    String gateway;

    @Option(names = "--address", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "Address every Gateway listener binds (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port-offset", defaultValue = "0", paramLabel = "N",
            description = "Added to every listener port when binding, e.g. 8000 serves port 80 on 8080 (default: ${DEFAULT-VALUE}).")
    int portOffset;

    @Option(names = "--admin", defaultValue = AdminServer.DEFAULT_HOST + ":" + AdminServer.DEFAULT_PORT,
            paramLabel = "HOST:PORT", description = "Admin endpoint address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME,
            description = "GatewayClass controllerName that marks a class as ours (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--no-adopt", description = "Do not serve Gateways whose gatewayClassName names no GatewayClass"
            + " in the directory (by default they are served as ours).")
    boolean noAdopt;

    @Option(names = "--no-watch", description = "Read the directory once; do not watch for changes.")
    boolean noWatch;

    @Option(names = "--access-log", paramLabel = "stdout|FILE", arity = "0..1", fallbackValue = "stdout",
            description = "Write one JSON line per request (time, client, method, host, path, status, bytes,"
                    + " duration, route, backend, endpoint, upstream timings) to stdout (the default when given"
                    + " without a value), stderr or FILE (appended to). Off by default.")
    String accessLog;

    @Option(names = "--exit-when-ready", hidden = true, description = "Start, serve the first snapshot, then shut"
            + " down: the training run of the launcher's class-data-sharing archive or AOT cache (the classes and"
            + " profiles of a real start-up).")
    boolean exitWhenReady;

    @Option(names = "--training-requests", hidden = true, paramLabel = "N", description = "With --exit-when-ready:"
            + " once ready, send N requests (HTTP/1.1 and h2c, small and 4 KiB bodies) through the training"
            + " configuration's listener to a backend in this process before exiting, so that the AOT cache's method"
            + " profiles cover the request path (listener 28080, backend 29001, both plus --port-offset);"
            + " fails unless every one is answered 200.")
    int trainingRequests;

    @Option(names = "--training-max-requests", hidden = true, paramLabel = "M", description = "With"
            + " --training-requests N: after the N requests, go on in rounds of N/4 until the JIT compiler has settled"
            + " (two rounds running in which it compiled for under a tenth of the time), at most M requests in all, so"
            + " that the profiles are those of a warmed-up gateway (default: N, no rounds).")
    int trainingMaxRequests;

    @Option(names = "--drain-timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "On SIGTERM: how long in-flight requests and open connections may go on after the listeners"
                    + " stop accepting, e.g. 30s, 500ms, 2m (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Override
    public Integer call() throws Exception {
        if (kubernetes == (config != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --config DIR or --kubernetes");
        }
        if (!kubernetes && !namespaces.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--namespaces needs --kubernetes");
        }
        if (!kubernetes && provisionerConfig != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--provisioner-config needs --kubernetes");
        }
        final ProvisionerConfig provisioning = provisionerConfig == null ? null : provisioning();
        final ResourceKey servedGateway = gateway == null ? null : gatewayKey();
        ServerConfig cfg = new ServerConfig(config,
                new TranslatorOptions(controllerName, provisioning != null
                        // provisioned data planes: a Gateway's addresses are its Service's
                        ? new GatewayAddressing.ProvisionedServices(address) : new GatewayAddressing.Shared(address),
                        !noAdopt), portOffset,
                parseHostPort(admin), Duration.ofMillis(100), !noWatch, accessLog)
                .withDrainTimeout(parseDuration(drainTimeout));
        if (trainingRequests > 0 && (!exitWhenReady || kubernetes)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--training-requests needs --exit-when-ready"
                    + " and --config");
        }
        if (trainingMaxRequests > 0 && trainingRequests == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--training-max-requests needs"
                    + " --training-requests");
        }
        if (!kubernetes) {
            return exitWhenReady ? runOnce(cfg, trainingRequests, Math.max(trainingRequests, trainingMaxRequests))
                    : run(cfg);
        }
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            String identity = System.getenv().getOrDefault("POD_NAME", System.getenv().getOrDefault("HOSTNAME",
                    "archway-" + java.util.UUID.randomUUID()));
            KubernetesMode mode = KubernetesMode.of(client, new java.util.LinkedHashSet<>(namespaces), identity);
            ServerConfig kube = cfg.withKubernetes(servedGateway == null ? mode : mode.withGateway(servedGateway));
            if (provisioning == null) {
                return run(kube);
            }
            try (GatewayProvisioner provisioner = new GatewayProvisioner(client, provisioning, PROVISIONING_RESYNC)) {
                // Only the elected leader provisions, as only it writes status: two replicas would
                // agree, but write every object twice and fight over 409s.
                LOG.info("provisioning a data plane per Gateway of controller {} (image {}, {} Services) while leading",
                        provisioning.controllerName(), provisioning.image(), provisioning.serviceType());
                return run(kube.withKubernetes(kube.kubernetes().withLeaderTask(
                        new KubernetesMode.LeaderTask("provisioner", provisioner::start, provisioner::close))));
            }
        }
    }

    /** --gateway NS/NAME. */
    private ResourceKey gatewayKey() {
        if (!kubernetes || provisionerConfig != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--gateway needs --kubernetes and is a data-plane pod's: not with --provisioner-config");
        }
        final int slash = gateway.indexOf('/');
        if (slash <= 0 || slash == gateway.length() - 1 || gateway.indexOf('/', slash + 1) >= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway: expected NAMESPACE/NAME, got '"
                    + gateway + "'");
        }
        return new ResourceKey(ResourceKind.GATEWAY.kind(), gateway.substring(0, slash), gateway.substring(slash + 1));
    }

    /** The --provisioner-config file, its controller and namespaces checked against this command's. */
    private ProvisionerConfig provisioning() {
        final ProvisionerConfig read;
        try {
            read = ProvisionerConfig.read(provisionerConfig);
        } catch (java.io.IOException | RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--provisioner-config " + provisionerConfig
                    + ": " + e.getMessage());
        }
        if (!read.controllerName().equals(controllerName)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--provisioner-config " + provisionerConfig
                    + ": controllerName " + read.controllerName() + " is not --controller-name " + controllerName);
        }
        if (!new java.util.HashSet<>(read.watchedNamespaces()).equals(new java.util.HashSet<>(namespaces))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--provisioner-config " + provisionerConfig
                    + ": watchedNamespaces " + read.watchedNamespaces() + " are not --namespaces " + namespaces);
        }
        return read;
    }

    /**
     * {@code --exit-when-ready}: starts (reads, translates, binds, serves the admin endpoint), sends
     * {@code trainingRequests} requests through the training listener ({@link TrainingTraffic}), then rounds
     * of more until the JIT compiler has settled or {@code trainingMaxRequests} are sent, then stops.
     */
    private static int runOnce(ServerConfig cfg, int trainingRequests, int trainingMaxRequests) throws Exception {
        LeakDetection.forServing();
        try (ArchwayServer server = ArchwayServer.start(cfg)) {
            LOG.info("ready: served snapshot v{}", server.status().servedVersion());
            if (trainingRequests > 0) {
                TrainingTraffic.rotateTimerMaxima(server.meterRegistry());
                final long began = System.nanoTime();
                final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
                TrainingTraffic.Result r = TrainingTraffic.sendUntilSettled(
                        ((GatewayAddressing.Shared) cfg.translator().addressing()).address(), cfg.portOffset(),
                        trainingRequests, trainingMaxRequests,
                        jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime : null);
                LOG.info("training traffic: {} requests in {} ms, answered 200: {} HTTP/1.1, {} h2c; the backend"
                                + " received {}", r.sent(), (System.nanoTime() - began) / 1_000_000, r.h1Ok(), r.h2cOk(),
                        r.backendRequests());
                if (!r.allOk()) {
                    LOG.error("training traffic: {} of {} requests not answered 200{}", r.sent() - r.h1Ok() - r.h2cOk(),
                            r.sent(), r.failure() == null ? "" : " (" + r.failure() + ")");
                    return ExitCodes.FAILURE;
                }
            }
            LOG.info("exiting (--exit-when-ready)");
        }
        return ExitCodes.OK;
    }

    static int run(ServerConfig cfg) throws Exception {
        LeakDetection.forServing();
        LOG.info("starting: {}, listeners on {}{}, controller {}", cfg.kubernetes() != null
                        ? "cluster " + cfg.kubernetes().client().getMasterUrl() + (cfg.kubernetes().namespaces().isEmpty()
                                ? " (all namespaces)" : " (namespaces " + cfg.kubernetes().namespaces() + ")")
                        : "config " + cfg.configDir().toAbsolutePath(),
                cfg.translator().addressing() instanceof GatewayAddressing.ProvisionedServices provisioned
                        ? ((GatewayAddressing.Shared) provisioned.bind()).address()
                        : ((GatewayAddressing.Shared) cfg.translator().addressing()).address(),
                cfg.portOffset() != 0 ? " (port offset " + cfg.portOffset() + ")" : "", cfg.translator().controllerName());
        ArchwayServer server = ArchwayServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("shutting down (draining listeners)");
            server.close();
            stopped.countDown();
        }, "archway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("ready: serving snapshot v{}; {}", server.status().servedVersion(),
                cfg.kubernetes() != null ? "watching the cluster"
                        : cfg.watch() ? "watching " + cfg.configDir() + " for changes" : "not watching for changes");
        LOG.info("try: archway get gateways -A --admin {}:{}", server.adminAddress().getHostString(),
                server.adminAddress().getPort());
        LOG.info("metrics: http://{}:{}/metrics{}", server.adminAddress().getHostString(),
                server.adminAddress().getPort(), cfg.accessLog() != null ? "; access log: " + cfg.accessLog() : "");
        stopped.await();
        return ExitCodes.OK;
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}, or an ISO-8601 duration ({@code PT30S}). */
    Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--drain-timeout: not a duration: '" + s
                + "' (e.g. 30s, 500ms, 2m)");
    }

    static InetSocketAddress parseHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new InetSocketAddress(AdminServer.DEFAULT_HOST, Integer.parseInt(s));
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host.isEmpty() ? AdminServer.DEFAULT_HOST : host,
                Integer.parseInt(s.substring(colon + 1)));
    }
}
