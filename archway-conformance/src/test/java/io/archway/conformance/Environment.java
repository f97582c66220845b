package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Everything one conformance run shares: the configuration directory (base manifests, our
 * GatewayClass, the set-up certificates, EndpointSlices), the echo pods, the trust for HTTPS
 * requests, and one embedded gateway process.
 */
final class Environment implements AutoCloseable {
    final Settings settings;
    /** Where the run's objects go and its status comes from (standalone directory or mock API server). */
    final Cluster cluster;
    final Certificates certificates;
    final Backends backends;
    final EchoServer echo;
    /** The TCP, UDP and DNS backends (tcpserver, udpechoserver, coredns) of the pods that run them. */
    final L4Echo l4 = new L4Echo();
    /** The gRPC echo servers of the pods that run one (echo-basic with GRPC_ECHO_SERVER). */
    final GrpcEcho grpc = new GrpcEcho();
    final SSLContext tls;
    /** Trusts only infra/tls-validity-checks-certificate: the serverCertPem of every HTTPS test. */
    final SSLContext tlsValidityChecks;
    /**
     * Product faults this environment injects now (empty for a real conformance run); the echo
     * pods and the gateway process read this same set, so a self-check can switch faults between
     * tests.
     */
    final Set<Fault> faults;
    private final Set<String> listening = new HashSet<>();
    GatewayProcess gateway;

    private Environment(Settings settings, Cluster cluster, Certificates certificates, Backends backends,
                        EchoServer echo, Set<Fault> faults) {
        this.settings = settings;
        this.faults = faults;
        this.cluster = cluster;
        this.certificates = certificates;
        this.backends = backends;
        this.echo = echo;
        this.tls = HttpProbe.trusting(certificates.allCertificates());
        this.tlsValidityChecks = HttpProbe.trusting(List.of(
                certificates.secret(Certificates.INFRA, "tls-validity-checks-certificate").certificate()));
    }

    /** Lays out the directory and starts the echo pods (not yet the gateway). */
    static Environment prepare(Settings settings) throws Exception {
        return prepare(settings, Set.of());
    }

    /** As {@link #prepare(Settings)}, injecting the faults {@code faults} holds at each moment (see {@link Fault}). */
    static Environment prepare(Settings settings, Set<Fault> faults) throws Exception {
        Cluster cluster = settings.kubernetes() ? new MockApiCluster(settings.statusTimeout())
                : new DirectoryCluster(new Manifests(settings.configDir()));
        String base = Files.readString(settings.suiteDir().resolve("base/base-manifests.yaml"));
        List<ObjectNode> baseDocs = Json.readYamlDocuments(Manifests.substitute(base));
        Backends backends = Backends.of(baseDocs);
        Certificates certs = Certificates.upstreamSetup(settings.pkcs8Keys());
        EchoServer echo = new EchoServer(faults);
        Environment env = new Environment(settings, cluster, certs, backends, echo, faults);
        try {
            env.listen(backends.listenPorts(List.of()));
            env.listenL4();
            env.warmGrpc();
            env.listenHttps();
            cluster.apply("00-gatewayclass", Json.readYamlDocuments(Manifests.gatewayClassYaml()));
            cluster.apply("01-base", Manifests.prepare(base));
            cluster.apply("02-certificates", Json.readYamlDocuments(certs.yaml()));
            cluster.apply("03-endpointslices", backends.endpointSlices(backends.services()));
        } catch (Exception e) {
            env.close();
            throw e;
        }
        return env;
    }

    /** Makes sure every pod answers on its ports. */
    void listen(Map<EchoServer.Pod, Set<Integer>> ports) throws InterruptedException {
        for (Map.Entry<EchoServer.Pod, Set<Integer>> e : ports.entrySet()) {
            for (int port : e.getValue()) {
                if (listening.add(e.getKey().ip() + ":" + port)) {
                    echo.listen(e.getKey(), port);
                }
            }
        }
    }

    /** Makes sure every pod running a gRPC, TCP, UDP or DNS server answers on its port. */
    void listenL4() throws java.io.IOException {
        for (Backends.L4Listen l : backends.l4Listeners()) {
            if (listening.add(l.key())) {
                if (l.tls() != null) {
                    if (l.server() != Backends.Server.TCP) {
                        throw new IllegalStateException("a TLS listener of a server other than tcpserver: " + l);
                    }
                    l4.listenTls(l.pod().ip(), l.port(), l.context(),
                            Certificates.serverContext(certificates.secret(l.tls().namespace(), l.tls().name())));
                    continue;
                }
                switch (l.server()) {
                    case TCP -> l4.listenTcp(l.pod().ip(), l.port(), l.context());
                    case UDP -> l4.listenUdp(l.pod().ip(), l.port(), l.context());
                    case DNS -> l4.listenDns(l.pod().ip(), l.port());
                    case GRPC -> grpc.listen(l.pod().ip(), l.port(), new GrpcEcho.PodContext(l.context().namespace(),
                            l.context().ingress(), l.context().service(), l.context().pod()));
                    default -> throw new IllegalStateException("not a layer-4 server: " + l);
                }
            }
        }
    }

    /**
     * One gRPC call straight to an echo pod before any test: it loads and links grpc-java's client
     * and server classes (seconds on a loaded machine), which upstream's compiled Go client never
     * pays, so the first gRPC test's consistency window measures the gateway and not class loading.
     */
    void warmGrpc() throws java.io.IOException {
        for (Backends.L4Listen l : backends.l4Listeners()) {
            if (l.server() == Backends.Server.GRPC) {
                try (GrpcProbe probe = new GrpcProbe(l.pod().ip() + ":" + l.port(), l.pod().ip() + ":" + l.port())) {
                    GrpcProbe.Result r = probe.send("Echo", Map.of(), Duration.ofSeconds(30));
                    if (!r.status().isOk()) {
                        throw new IllegalStateException("harness: the gRPC echo pod " + l.pod().name()
                                + " does not answer: " + r.status());
                    }
                }
                return;
            }
        }
    }

    /** Makes sure every echo-basic pod with a server certificate answers HTTPS on its HTTPS_PORT. */
    void listenHttps() throws InterruptedException {
        for (Backends.HttpsListen l : backends.httpsListeners()) {
            if (listening.add("HTTPS " + l.key())) {
                echo.listen(l.pod(), l.port(), Certificates.nettyServerContext(
                        certificates.secret(l.tls().namespace(), l.tls().name()), clientCa(l.clientCa())));
            }
        }
    }

    /** The CA certificate a set-up ConfigMap's ca.crt holds (the only key the suite writes), or null. */
    private java.security.cert.X509Certificate clientCa(Backends.ConfigMapFile file) {
        if (file == null) {
            return null;
        }
        if (!file.key().equals("ca.crt")) {
            throw new IllegalStateException("harness: a client CA file from ConfigMap key " + file.key());
        }
        return certificates.configMap(file.namespace(), file.configMap()).certificate();
    }

    void startGateway() throws Exception {
        gateway = cluster.start(settings, faults);
    }

    /** The status the assertions read: the embedded server's view (standalone) or the mock API server's objects. */
    StatusAssertions.Source status() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            System.err.println("closing the " + cluster.mode() + " cluster and the gateway: " + e);
        }
        echo.close();
        l4.close();
        grpc.close();
    }

    /** Run settings, from system properties. */
    record Settings(Path suiteDir, Path configDir, Path reportFile, int portOffset, Duration statusTimeout,
                    Duration consistencyTimeout, Duration requestTimeout, boolean pkcs8Keys, Set<String> only,
                    boolean run, Mode mode) {
        /** {@code archway.conformance.mode}: where manifests go and status comes from (see {@link Cluster}). */
        enum Mode {
            STANDALONE, KUBERNETES;

            static Mode of(String value) {
                for (Mode m : values()) {
                    if (m.name().equalsIgnoreCase(value.trim())) {
                        return m;
                    }
                }
                throw new IllegalArgumentException("archway.conformance.mode must be standalone or kubernetes, not "
                        + value);
            }
        }

        boolean kubernetes() {
            return mode == Mode.KUBERNETES;
        }

        /** These settings in {@code m}, with that mode's report file. */
        Settings withMode(Mode m, Set<String> tests) {
            return new Settings(suiteDir, configDir, m == Mode.KUBERNETES ? kubernetesReport(reportFile) : reportFile,
                    portOffset, statusTimeout, consistencyTimeout, requestTimeout, pkcs8Keys, tests, run, m);
        }

        /** conformance-report.yaml -> conformance-report-kubernetes.yaml (its checks file follows). */
        static Path kubernetesReport(Path report) {
            String name = report.getFileName().toString();
            return name.contains("-kubernetes") ? report
                    : report.resolveSibling(name.replaceFirst("(\\.yaml)?$", "-kubernetes.yaml"));
        }

        static Settings fromSystemProperties() {
            Path suite = Path.of(System.getProperty("archway.conformance.dir", "../../shared/conformance"));
            if (!Files.isDirectory(suite)) {
                // relative to the repository root (mvn -pl from /work/main) or to the module
                for (Path p : List.of(Path.of("../shared/conformance"), Path.of("../../shared/conformance"))) {
                    if (Files.isDirectory(p)) {
                        suite = p;
                        break;
                    }
                }
            }
            Set<String> only = new HashSet<>();
            for (String s : System.getProperty("archway.conformance.tests", "").split(",")) {
                if (!s.isBlank()) {
                    only.add(s.trim());
                }
            }
            return new Settings(suite.toAbsolutePath().normalize(),
                    Path.of(System.getProperty("archway.conformance.configDir", "target/conformance-config")).toAbsolutePath(),
                    Path.of(System.getProperty("archway.conformance.report", "target/conformance-report.yaml")).toAbsolutePath(),
                    Integer.getInteger("archway.conformance.portOffset", 20000),
                    Duration.ofMillis(Long.getLong("archway.conformance.statusTimeoutMs", 5000)),
                    Duration.ofMillis(Long.getLong("archway.conformance.consistencyTimeoutMs", 5000)),
                    Duration.ofMillis(Long.getLong("archway.conformance.requestTimeoutMs", 5000)),
                    Boolean.getBoolean("archway.conformance.pkcs8Keys"),
                    Set.copyOf(only),
                    Boolean.getBoolean("archway.conformance.run"),
                    Mode.of(System.getProperty("archway.conformance.mode", "standalone")));
        }
    }
}
