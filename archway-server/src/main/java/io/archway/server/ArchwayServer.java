package io.archway.server;

import io.archway.proxy.DataPlane;
import io.archway.proxy.ProxyConfig;
import io.archway.source.ResourceStore;
import io.archway.source.file.DirectorySource;
import io.archway.source.StatusSink;
import io.archway.source.kube.KubernetesSource;
import io.archway.source.kube.KubernetesStatusWriter;
import io.archway.source.kube.LeaderElection;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.Translator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway process, embeddable: directory source (or, with {@link ServerConfig#kubernetes()},
 * the cluster's informers) -> store -> translator -> data plane, plus the admin endpoint. {@code start} returns once the first snapshot is served (its ports bound).
 *
 * <pre>
 * try (ArchwayServer server = ArchwayServer.start(config)) {
 *     server.status().list("Gateway", null);
 *     // ... edit files in config.configDir() ...
 *     server.reloadNow();   // or wait for the watcher
 * }
 * </pre>
 *
 * <p>If the data plane rejects the first snapshot (e.g. a port is taken), {@code start} still
 * returns: the admin endpoint reports the problem in {@code /api/v1/diagnostics} and
 * {@code /readyz} stays 503 until a snapshot is served.
 */
public final class ArchwayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchwayServer.class);
    /** The most a file change waits before it is applied, whatever the holdoff. */
    static final Duration MAX_DEBOUNCE = Duration.ofSeconds(1);
    /**
     * From this many objects read, a full collection runs once the first snapshot is served and
     * before {@code /readyz} turns 200 (directory mode): the start-up's live objects (at 10,000
     * routes some 60-80 MB: the store, the translation and its memo, the data plane's dispatch) are
     * then in the old generation, where the first young collections under traffic would otherwise
     * have copied them, stopping every thread for 100-400 ms on a shared two-core box while changes
     * and requests wait (docs/PERFORMANCE.md, "Change-to-live, session 10"). Below it, that copy is
     * short and a full collection's fixed cost would be start-up time for nothing.
     */
    static final int SETTLE_HEAP_OBJECTS = 1000;

    /** How often an error names the informers that have not synced yet (the pod is not ready meanwhile). */
    static final Duration SYNC_REPORT_PERIOD = Duration.ofSeconds(30);
    /** How long every event loop has to run a liveness task. */
    static final Duration LIVENESS_TIMEOUT = Duration.ofSeconds(2);

    private final ServerConfig config;
    private final ResourceStore store;
    /** The directory source; null in Kubernetes mode. */
    private final DirectorySource source;
    /** The informers; null when serving a directory. */
    private final KubernetesSource kube;
    /** Writes status back while this replica leads; null when serving a directory. */
    private final KubernetesStatusWriter statusWriter;
    private final LeaderElection election;
    private final DataPlane dataPlane;
    private final StandaloneStatusView status;
    private final RebuildLoop loop;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerTrafficMetrics traffic = new MicrometerTrafficMetrics(registry);
    private AdminServer admin;
    private volatile boolean closed;

    private ArchwayServer(ServerConfig config, ServerMetrics metrics) {
        this.config = config;
        this.store = new ResourceStore();
        this.status = new StandaloneStatusView(Clock.systemUTC());
        // The one place the data plane gets its observer: every request, upstream failure,
        // connection and stream lands in the registry served at /metrics.
        ProxyConfig proxy = ProxyConfig.defaults().withPortOffset(config.portOffset()).withAccessLog(config.accessLog());
        this.dataPlane = new DataPlane(config.drainTimeout() == null ? proxy : proxy.withDrainTimeout(config.drainTimeout()),
                traffic);
        FunctionCounter.builder("archway.access.log.dropped", dataPlane, DataPlane::accessLogDropped)
                .description("Access-log lines dropped because the writer fell behind").register(registry);
        ServerMetrics controlPlane = new MicrometerServerMetrics(registry);
        ServerMetrics both = metrics == ServerMetrics.NOOP ? controlPlane : new ServerMetrics() {
            @Override
            public void rebuilt(long version, boolean served, Duration took, int errors, int warnings) {
                controlPlane.rebuilt(version, served, took, errors, warnings);
                metrics.rebuilt(version, served, took, errors, warnings);
            }
        };
        Duration holdoff = config.debounce().compareTo(MAX_DEBOUNCE) > 0 ? MAX_DEBOUNCE : config.debounce();
        KubernetesMode k8s = config.kubernetes();
        StatusSink sink = status;
        if (k8s == null) {
            this.kube = null;
            this.statusWriter = null;
            this.election = null;
        } else {
            this.kube = new KubernetesSource(k8s.client(), store, new KubernetesSource.Options(k8s.namespaces(), holdoff,
                    MAX_DEBOUNCE, k8s.gateway()), this::requestRebuild);
            if (k8s.gateway() != null) {
                // A provisioned data-plane pod serves its one Gateway and writes nothing: the
                // controller alone writes status.
                this.statusWriter = null;
                this.election = null;
            } else {
                this.statusWriter = new KubernetesStatusWriter(k8s.client(), kube, config.translator().controllerName(),
                        Clock.systemUTC());
                // The status writer and the leader tasks (the provisioner) share the one election:
                // a non-leading replica serves traffic but writes nothing to the cluster.
                final List<KubernetesMode.LeaderTask> tasks = k8s.leaderTasks();
                this.election = new LeaderElection(k8s.client(), k8s.leaseNamespace(), k8s.leaseName(), k8s.identity(),
                        k8s.leaseDuration(), () -> {
                            statusWriter.startLeading();
                            tasks.forEach(t -> runTask(t, t.start(), "start"));
                        }, () -> {
                            statusWriter.stopLeading();
                            tasks.forEach(t -> runTask(t, t.stop(), "stop"));
                        });
                sink = StatusSink.all(status, statusWriter);
            }
        }
        this.loop = new RebuildLoop(store, new Translator(config.translator()), dataPlane::apply, sink, both,
                config.portOffset());
        this.source = k8s != null ? null : new DirectorySource(config.configDir(), store, new ManifestLoader(), holdoff,
                MAX_DEBOUNCE, loop::requestRebuild);
    }

    /**
     * Reads the directory, serves the first snapshot, starts the admin endpoint and (if configured)
     * the directory watcher.
     *
     * @throws IOException when the directory cannot be read or the admin address cannot be bound
     */
    public static ArchwayServer start(ServerConfig config) throws IOException {
        return start(config, ServerMetrics.NOOP);
    }

    /** As {@link #start(ServerConfig)}, reporting rebuilds to {@code metrics}. */
    public static ArchwayServer start(ServerConfig config, ServerMetrics metrics) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        if (config.kubernetes() == null && !Files.isDirectory(config.configDir())) {
            throw new IOException("config directory does not exist or is not a directory: " + config.configDir());
        }
        final long began = System.nanoTime();
        if (config.kubernetes() == null) {
            prepareAdmission();
        }
        ArchwayServer server;
        try {
            server = new ArchwayServer(config, metrics);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the access log cannot be opened
        }
        try {
            final long constructed = System.nanoTime();
            if (server.kube != null) {
                // The admin endpoint answers (not ready) while the informers sync: no rebuild before.
                server.startAdmin();
                server.kube.start();
                server.kube.awaitSynced(SYNC_REPORT_PERIOD);
                server.loop.rebuildNow();
                if (server.election != null) {
                    server.election.start(); // status is written once this replica leads
                } // else a data-plane pod (--gateway): it reads and serves, the controller writes
            } else {
                if (config.watch()) {
                    server.source.start(); // registers the watch, then reads the directory once
                } else {
                    server.source.rescan();
                }
                final long read = System.nanoTime();
                server.loop.rebuildNow();
                final long served = System.nanoTime();
                if (server.store.size() >= SETTLE_HEAP_OBJECTS) {
                    System.gc(); // before ready, not in the first young collections under traffic
                }
                final long settled = System.nanoTime();
                server.startAdmin();
                // Where a replica's start-up goes (issue 14: ready in under a second), for operators
                // and for docs/PERFORMANCE.md: the JVM and the command line before start, then ours.
                LOG.info("ready {} ms after the process started: {} ms before the server (launcher, JVM, command line;"
                                + " a first launch also builds the jar and its archive), server objects {} ms,"
                                + " reading the directory ({} files) {} ms, first snapshot {} ms, full collection {} ms,"
                                + " admin endpoint {} ms",
                        ProcessStart.millisSince(), ProcessStart.millisBefore(began), millis(constructed - began),
                        server.source.filesRead(), millis(read - constructed), millis(served - read),
                        millis(settled - served), millis(System.nanoTime() - settled));
            }
        } catch (UncheckedIOException e) {
            server.close();
            throw e.getCause();
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the informers synced", e);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("admin endpoint on http://{}:{}/ (api/v1/gateways, api/v1/httproutes, api/v1/diagnostics, metrics,"
                        + " readyz)",
                server.adminAddress().getHostString(), server.adminAddress().getPort());
        return server;
    }

    /**
     * Reads the CRDs of the kinds every served directory has on a second thread while this one builds
     * the server (Netty, Micrometer): off the ready path on two cores. The directory's first
     * admission of such a kind waits for it; a failure here is the first admission's to report.
     */
    private static void prepareAdmission() {
        Thread t = new Thread(() -> {
            try {
                io.archway.admission.Admission.standalone().prepare(List.of(io.archway.kinds.ResourceKind.GATEWAY_CLASS,
                        io.archway.kinds.ResourceKind.GATEWAY, io.archway.kinds.ResourceKind.HTTP_ROUTE));
            } catch (RuntimeException e) {
                LOG.debug("preparing admission", e);
            }
        }, "archway-admission-setup");
        t.setDaemon(true);
        t.start();
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** The store changed (the informers' events, coalesced): rebuild. */
    private void requestRebuild() {
        loop.requestRebuild();
    }

    private void startAdmin() throws IOException {
        try {
            // Ready once a snapshot is served, until shutdown starts (so that endpoints drop this pod
            // while it drains); live while every event loop answers.
            admin = AdminServer.start(config.adminAddress(), status, () -> loop.everServed() && !closed,
                    () -> dataPlane.eventLoopsAnswer(LIVENESS_TIMEOUT), this::notReadyReason);
            admin.addHandler("/metrics", this::serveMetrics);
        } catch (IOException e) {
            throw new IOException("cannot start the admin endpoint on " + config.adminAddress().getHostString() + ":"
                    + config.adminAddress().getPort() + ": " + e.getMessage(), e);
        }
    }

    /** Why {@code /readyz} answers 503. */
    private String notReadyReason() {
        if (closed) {
            return "shutting down";
        }
        if (kube != null && !kube.synced()) {
            return "waiting for the informers to sync: " + String.join("; ", kube.unsynced());
        }
        return "no snapshot served yet";
    }

    public ServerConfig config() {
        return config;
    }

    /** The resources as last served, with status; diagnostics; the served version. */
    public StatusView status() {
        return status;
    }

    /** Where the admin endpoint listens (the real port when configured with port 0). */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The admin endpoint, e.g. to add a {@code /metrics} handler. */
    public AdminServer adminServer() {
        return admin;
    }

    /** The Prometheus registry served at {@code GET /metrics} on the admin endpoint. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * The data plane's {@link io.archway.proxy.TrafficObserver}: requests, upstream failures,
     * connections and streams (the per-request metrics of docs/DESIGN.md); served at
     * {@code GET /metrics}.
     */
    public MicrometerTrafficMetrics trafficMetrics() {
        return traffic;
    }

    private void serveMetrics(com.sun.net.httpserver.HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(405, -1);
            return;
        }
        byte[] body = registry.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (java.io.OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** In Kubernetes mode, the status writer (its counters); empty when serving a directory. */
    public java.util.Optional<KubernetesStatusWriter> statusWriter() {
        return java.util.Optional.ofNullable(statusWriter);
    }

    /** The phases of the last served rebuild (the change-to-live budget), or null before the first. */
    public RebuildLoop.Timing lastRebuild() {
        return loop.lastTiming();
    }

    /** When the directory source last saw an event and applied a batch; empty in Kubernetes mode. */
    public java.util.Optional<DirectorySource.Timing> lastBatch() {
        return source == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(source.lastTiming());
    }

    /** The version of the snapshot the data plane serves now (its status may be published later). */
    public long servingVersion() {
        return dataPlane.current().version();
    }

    /** The resource store (read-only use: views, diagnostics). */
    public ResourceStore store() {
        return store;
    }

    /**
     * Re-reads the directory (in Kubernetes mode: the informers' current state) now and returns once the result is served (or rejected; then the
     * previous snapshot keeps serving and {@link StatusView#diagnostics()} says why).
     */
    public void reloadNow() {
        if (closed) {
            throw new IllegalStateException("server is closed");
        }
        if (source != null) {
            try {
                source.rescan();
            } catch (UncheckedIOException e) {
                LOG.error("cannot read {}: {}", config.configDir(), e.getCause().getMessage());
            }
        }
        loop.rebuildNow();
    }

    /** Runs a leader task's callback; a failure is logged, never kills the election's thread. */
    private static void runTask(KubernetesMode.LeaderTask task, Runnable callback, String what) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("leader task {} failed to {}: {}", task.name(), what, e.toString());
        }
    }

    /**
     * Shuts down (SIGTERM): {@code /readyz} turns 503, sources and status writing stop (the lease is
     * released), the listeners stop accepting and in-flight requests drain within the drain timeout,
     * then the admin endpoint closes.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (source != null) {
            source.close();
        }
        if (election != null) {
            election.close(); // releases the lease: another replica writes status at once
            statusWriter.close();
            config.kubernetes().leaderTasks().forEach(t -> runTask(t, t.stop(), "stop"));
        }
        if (kube != null) {
            kube.close();
        }
        loop.close();
        // Stop accepting, let in-flight requests finish within the drain timeout; the admin endpoint
        // answers (not ready) meanwhile, and closes last.
        dataPlane.close();
        if (admin != null) {
            admin.close();
        }
        registry.close();
    }
}
