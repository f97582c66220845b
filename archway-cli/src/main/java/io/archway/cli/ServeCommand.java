package io.archway.cli;

import io.archway.server.AdminServer;
import io.archway.server.ArchwayServer;
import io.archway.server.KubernetesMode;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
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

    @Override
    public Integer call() throws Exception {
        if (kubernetes == (config != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --config DIR or --kubernetes");
        }
        if (!kubernetes && !namespaces.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--namespaces needs --kubernetes");
        }
        ServerConfig cfg = new ServerConfig(config,
                new TranslatorOptions(controllerName, new GatewayAddressing.Shared(address), !noAdopt), portOffset,
                parseHostPort(admin), Duration.ofMillis(100), !noWatch, accessLog);
        if (!kubernetes) {
            return run(cfg);
        }
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            String identity = System.getenv().getOrDefault("POD_NAME", System.getenv().getOrDefault("HOSTNAME",
                    "archway-" + java.util.UUID.randomUUID()));
            return run(cfg.withKubernetes(KubernetesMode.of(client, new java.util.LinkedHashSet<>(namespaces), identity)));
        }
    }

    static int run(ServerConfig cfg) throws Exception {
        LOG.info("starting: {}, listeners on {}{}, controller {}", cfg.kubernetes() != null
                        ? "cluster " + cfg.kubernetes().client().getMasterUrl() + (cfg.kubernetes().namespaces().isEmpty()
                                ? " (all namespaces)" : " (namespaces " + cfg.kubernetes().namespaces() + ")")
                        : "config " + cfg.configDir().toAbsolutePath(),
                ((GatewayAddressing.Shared) cfg.translator().addressing()).address(),
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
