package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TLS backends, clients, status helpers and cases of the GATEWAY-TLS core tests. */
class TlsHarnessTest {
    private static final String INFRA = "gateway-conformance-infra";
    private static final EchoServer.Pod POD = new EchoServer.Pod(INFRA, "tcp-backend-bcdfghjklm-npqrs", "tcp-backend",
            "127.0.0.1");
    private static Certificates certs;
    private static Certificates.Issued ca;
    private static Certificates.Issued passthrough;
    private static Certificates.Issued tlsChecks;
    private static Certificates.Issued otherCa;
    private final L4Echo echo = new L4Echo();
    private final List<String> log = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        certs = new Certificates(false);
        ca = certs.caConfigMap(INFRA, "tls-checks-ca-certificate");
        passthrough = certs.signedSecret(INFRA, "tls-passthrough-checks-certificate", List.of("abc.example.com"), ca, false);
        tlsChecks = certs.signedSecret(INFRA, "tls-checks-certificate",
                List.of("abc.example.com", "spiffe://abc.example.com/test-identity", "other.example.com"), ca, false);
        otherCa = certs.caConfigMap(INFRA, "mismatch-ca-certificate");
    }

    @AfterEach
    void close() {
        echo.close();
    }

    private InetSocketAddress tlsTcp() throws Exception {
        return echo.listenTls("127.0.0.1", 0, L4Echo.PodContext.of(POD, ""), Certificates.serverContext(passthrough));
    }

    @Test
    void tcpserversTlsListenerAnswersOverTlsWithTheSniItSaw() throws Exception {
        InetSocketAddress addr = tlsTcp();
        try (Socket plain = new Socket()) {
            plain.connect(addr, 2000);
            plain.setSoTimeout(2000);
            Socket s = L4Clients.tlsHandshake(plain, addr, HttpProbe.trusting(List.of(ca.certificate())),
                    "abc.example.com");
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(L4Clients.readString(in)).isEqualTo(L4Echo.TCP_WELCOME);
            out.write("IS_TLS\nTEST\n".getBytes(StandardCharsets.UTF_8));
            assertThat(L4Clients.readString(in)).isEqualTo("true\n");
            String test = L4Clients.readString(in);
            assertThat(test).startsWith("{\"namespace\":\"gateway-conformance-infra\",\"ingress\":\"\",\"service\":\"\","
                    + "\"pod\":\"tcp-backend-bcdfghjklm-npqrs\",\"tcpport\":\"3000\",\"tlsport\":\"8443\",\"isTLS\":true,"
                    + "\"tls\":{\"version\":\"TLS 1.3\",\"serverName\":\"abc.example.com\",\"cipherSuite\":\"TLS_");
            assertThat(test).endsWith("\"}}\n");
        }
    }

    @Test
    void tlsTcpRequestMustVerifyTheBackendsCertificateAndSeeItsSni() throws Exception {
        InetSocketAddress addr = tlsTcp();
        SSLContext trustCa = HttpProbe.trusting(List.of(ca.certificate()));
        L4Clients.TcpExpected expected = new L4Clients.TcpExpected(true, "tcp-backend", INFRA, "abc.example.com");
        assertThat(L4Clients.tcpEventuallyValid(addr, new L4Clients.TlsDial(trustCa, "abc.example.com"), expected,
                Duration.ofSeconds(3), log::add)).isEmpty();
        assertThat(log).anyMatch(l -> l.contains("\"serverName\":\"abc.example.com\""));
        // a certificate from another CA, or not valid for the server name: the dial fails, retried until the end
        assertThat(L4Clients.tcpEventuallyValid(addr,
                new L4Clients.TlsDial(HttpProbe.trusting(List.of(otherCa.certificate())), "abc.example.com"), expected,
                Duration.ofMillis(1500), log::add)).singleElement().asString().contains("Condition never satisfied");
        assertThat(L4Clients.tcpEventuallyValid(addr, new L4Clients.TlsDial(trustCa, "other.example.com"),
                new L4Clients.TcpExpected(true, "tcp-backend", INFRA, "other.example.com"), Duration.ofMillis(1500),
                log::add)).singleElement().asString().contains("Condition never satisfied");
        assertThat(log).anyMatch(l -> l.contains("not valid for other.example.com"));
        // an exchange that completes but says plain TCP, or another backend: assertion failures
        InetSocketAddress plainTcp = echo.listenTcp("127.0.0.1", 0, L4Echo.PodContext.of(POD, ""));
        assertThat(L4Clients.tcpEventuallyValid(plainTcp, null, new L4Clients.TcpExpected(true, "tcp-backend", INFRA, "x"),
                Duration.ofSeconds(2), log::add)).containsExactly("IS_TLS: expected \"true\", got \"false\"",
                "TEST answer has no \"tls\" object: upstream dereferences a nil TLSAssertion (panic)");
        assertThat(L4Clients.tcpEventuallyValid(addr, new L4Clients.TlsDial(trustCa, "abc.example.com"),
                new L4Clients.TcpExpected(true, "tls-backend", INFRA, "abc.example.com"), Duration.ofSeconds(2), log::add))
                .singleElement().asString().contains("pod prefix");
        // plain TCP against the TLS port: no welcome line ever (the server waits for a ClientHello)
        assertThat(L4Clients.tcpEventuallyValid(addr, "tcp-backend", INFRA, Duration.ofMillis(1500), log::add))
                .isNotEmpty();
    }

    @Test
    void echoBasicsHttpsPortPresentsTheSecretsCertificate() throws Exception {
        EchoServer http = new EchoServer(java.util.Set.of());
        try {
            EchoServer.Pod pod = new EchoServer.Pod(INFRA, "tls-backend-bcdfghjklm-npqrs", "tls-backend", "127.0.0.1");
            int port = http.listen(pod, 0, Certificates.nettyServerContext(tlsChecks)).getPort();
            // serverCertPem = the backend's own leaf (issued by a CA the client does not know), as upstream
            SSLContext leafOnly = HttpProbe.trusting(List.of(tlsChecks.certificate()));
            HttpProbe.Response res = HttpProbe.send(new HttpProbe.Request("https", "127.0.0.1", port, "GET",
                    "other.example.com", "/", Map.of(), "", "other.example.com", leafOnly, Duration.ofSeconds(3)));
            assertThat(res.status()).isEqualTo(200);
            JsonNode body = Json.parse(res.bodyText());
            assertThat(body.path("pod").asText()).isEqualTo(pod.name());
            assertThat(body.path("tls").path("serverName").asText()).isEqualTo("other.example.com");
            // any other certificate (a gateway's own) fails the handshake
            SSLContext other = HttpProbe.trusting(List.of(passthrough.certificate()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpProbe.send(new HttpProbe.Request("https",
                    "127.0.0.1", port, "GET", "abc.example.com", "/", Map.of(), "", "abc.example.com", other,
                    Duration.ofSeconds(3)))).isInstanceOf(java.io.IOException.class);
        } finally {
            http.close();
        }
    }

    /** A server that accepts and then does {@code onAccept} with each connection. */
    private static ServerSocket server(java.util.function.Consumer<Socket> onAccept) throws Exception {
        ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    onAccept.accept(ss.accept());
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    @Test
    void aTlsConnectionIsRejectedByACloseOrAResetButNotByARefusalOrACompletedHandshake() throws Exception {
        // closed after reading the ClientHello (FIN): EOF during the handshake
        try (ServerSocket fin = server(s -> {
            try (s) {
                s.getInputStream().read(new byte[16384]);
            } catch (Exception e) {
                // closing
            }
        })) {
            assertThat(L4Clients.tlsRejectedEventually((InetSocketAddress) fin.getLocalSocketAddress(), "non.matching.com",
                    Duration.ofSeconds(3), log::add)).isNull();
        }
        // reset (SO_LINGER 0)
        try (ServerSocket rst = server(s -> {
            try {
                s.getInputStream().read(new byte[16384]);
                s.setSoLinger(true, 0);
                s.close();
            } catch (Exception e) {
                // closing
            }
        })) {
            assertThat(L4Clients.tlsRejectedEventually((InetSocketAddress) rst.getLocalSocketAddress(), "example.com",
                    Duration.ofSeconds(3), log::add)).isNull();
        }
        // nobody listening: refused, retried every second, never a rejection
        InetSocketAddress closed;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = (InetSocketAddress) ss.getLocalSocketAddress();
        }
        assertThat(L4Clients.tlsRejectedEventually(closed, "non.matching.com", Duration.ofMillis(1500), log::add))
                .contains("was not rejected");
        // a TLS server answering (here with a certificate the system roots do not trust): not a rejection
        InetSocketAddress tls = tlsTcp();
        assertThat(L4Clients.tlsRejectedEventually(tls, "abc.example.com", Duration.ofMillis(1500), log::add))
                .contains("was not rejected");
        assertThat(L4Clients.isConnectionRejected(new java.net.ConnectException("Connection refused"))).isFalse();
        assertThat(L4Clients.isConnectionRejected(new java.net.SocketException("Connection reset"))).isTrue();
        assertThat(L4Clients.isConnectionRejected(new javax.net.ssl.SSLHandshakeException("Received fatal alert: "
                + "unrecognized_name"))).isFalse();
    }

    private static Path suite() {
        return Environment.Settings.fromSystemProperties().suiteDir();
    }

    @Test
    void tlsBackendsOfTheBaseManifestsServeTheirSecretsCertificates() throws Exception {
        Path base = suite().resolve("base/base-manifests.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(base), "shared data not present");
        Backends b = Backends.of(Json.readYamlDocuments(Manifests.substitute(Files.readString(base))));
        List<Backends.HttpsListen> https = b.httpsListeners();
        assertThat(https).extracting(l -> l.pod().namespace() + "/" + l.pod().service() + ":" + l.port() + " "
                + l.tls().name()).containsExactlyInAnyOrder(
                INFRA + "/tls-backend:8443 tls-checks-certificate",
                INFRA + "/tls-backend-2:8443 tls-checks-certificate",
                "gateway-conformance-app-backend/tls-backend:8443 tls-passthrough-checks-certificate");
        assertThat(b.l4Listeners()).filteredOn(l -> l.tls() != null).hasSize(2).allMatch(l -> l.port() == 8443
                && l.server() == Backends.Server.TCP && l.pod().name().startsWith("tcp-backend-")
                && l.tls().equals(new Backends.TlsSecret(INFRA, "tls-passthrough-checks-certificate")));
        // tcpserver reads TLS_SERVER_PRIV_KEY; echo-basic's TLS_SERVER_PRIVKEY does not make it serve TLS
        ObjectNode d = (ObjectNode) Json.readYamlDocuments(Manifests.substitute(Files.readString(base))).stream()
                .filter(x -> Json.text(x, "kind").equals("Deployment")
                        && x.path("metadata").path("name").asText().equals("tcp-backend")).findFirst().orElseThrow();
        String yaml = Json.JSON.writeValueAsString(d).replace("TLS_SERVER_PRIV_KEY", "TLS_SERVER_PRIVKEY")
                .replace("\"name\":\"tcp-backend\"", "\"name\":\"tcp-backend-x\"");
        Backends other = Backends.of(List.of((ObjectNode) Json.parse(yaml)));
        assertThat(other.l4Listeners()).hasSize(2).allMatch(l -> l.tls() == null);
    }

    @Test
    void tlsRouteParentsCheckNoGeneration() {
        JsonNode route = Json.parse(("{'kind':'TLSRoute','metadata':{'name':'r','namespace':'infra','generation':3},"
                + "'spec':{'hostnames':['abc.example.com']},"
                + "'status':{'parents':[{'parentRef':{'group':'gateway.networking.k8s.io','kind':'Gateway','name':'gw'},"
                + "'controllerName':'archway.io/gateway-controller','conditions':["
                + "{'type':'Accepted','status':'True','reason':'Accepted','observedGeneration':1}]}]}}").replace('\'', '"'));
        StatusAssertionsTest.Fake s = new StatusAssertionsTest.Fake(List.of(route));
        StatusAssertions.NN nn = new StatusAssertions.NN("infra", "r");
        StatusAssertions.Parent p = new StatusAssertions.Parent(StatusAssertions.GROUP, "Gateway", "infra", "gw",
                "archway.io/gateway-controller", List.of(new StatusAssertions.Cond("Accepted", "True", "Accepted")));
        // stale conditions (observedGeneration 1 of 3) do not matter to TLSRouteMustHaveParents
        assertThat(StatusAssertions.tlsRouteParents(s, nn, List.of(p), false)).isNull();
        // ...where RouteMustHaveParents waits on its second poll
        JsonNode[] actual = {null};
        assertThat(StatusAssertions.routeParentsPolled(s, "TLSRoute", nn, List.of(p), false, actual)).isNull();
        assertThat(StatusAssertions.routeParentsPolled(s, "TLSRoute", nn, List.of(p), false, actual)).contains("stale");
        // the namespace is required for a route in another namespace
        assertThat(StatusAssertions.tlsRouteParents(s, nn, List.of(p), true)).contains("no status.parents entry");
        assertThat(StatusAssertions.tlsRouteParents(s, new StatusAssertions.NN("infra", "missing"), List.of(p), false))
                .startsWith(StatusAssertions.FATAL);
        assertThat(TestRunner.routeKindOf("TLSRouteMustHaveNoAcceptedParents")).isEqualTo("TLSRoute");
        assertThat(StatusAssertions.routeNoAcceptedParents(s, "TLSRoute", nn)).contains("stale");
    }

    private static final List<String> TLS_CORE = List.of("TLSRouteHostnameIntersection",
            "TLSRouteInvalidBackendRefNonexistent", "TLSRouteInvalidBackendRefUnknownKind",
            "TLSRouteInvalidNoMatchingListener", "TLSRouteInvalidNoMatchingListenerHostname",
            "TLSRouteInvalidReferenceGrant", "TLSRouteListenerPassthroughSupportedKinds",
            "TLSRouteListenerTerminateNotSupported", "TLSRouteSimpleSameNamespace");

    @Test
    void everyGatewayTlsCoreTlsRouteTestIsRunnable() throws Exception {
        Path tests = suite().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        List<String> core = new ArrayList<>();
        for (TestSpec spec : TestSpec.loadSuite(tests)) {
            boolean tlsRoute = false;
            for (JsonNode f : spec.json().path("features")) {
                tlsRoute |= f.path("name").asText().equals("TLSRoute");
            }
            if (tlsRoute && "core".equals(spec.json().path("profiles").path("GATEWAY-TLS").path("level").asText())) {
                core.add(spec.shortName());
                assertThat(TestRunner.harnessGaps(spec)).as(spec.shortName()).isEmpty();
                for (JsonNode a : spec.json().path("status_assertions")) {
                    assertThat(TLS_HELPERS).as(spec.shortName()).contains(a.path("helper").asText());
                }
            }
        }
        assertThat(core).containsExactlyInAnyOrderElementsOf(TLS_CORE);
        // the extended Terminate and Mixed traffic tests have their cases too
        for (String extended : List.of("TLSRouteTerminateSimpleSameNamespace", "TLSRouteMixedTerminationSameNamespace")) {
            TestSpec spec = TestSpec.load(tests.resolve(extended + ".json"));
            assertThat(spec.manual()).as(extended).isTrue();
            assertThat(TestRunner.harnessGaps(spec)).as(extended).isEmpty();
        }
    }

    @Test
    void theTerminateAndMixedTestsRunInTheGoOrder() throws Exception {
        Path tests = suite().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        List<String> terminate = new TestRunner(null,
                TestSpec.load(tests.resolve("TLSRouteTerminateSimpleSameNamespace.json"))).describeTimeline();
        assertThat(terminate.stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList())
                .containsExactly("50 status", "52 status", "68 traffic");
        assertThat(terminate.get(2)).contains("BackendIsTLS: false, Backend: tcp-backend");
        List<String> mixed = new TestRunner(null,
                TestSpec.load(tests.resolve("TLSRouteMixedTerminationSameNamespace.json"))).describeTimeline();
        assertThat(mixed.stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList())
                .containsExactly("54 status", "56 status", "87 status", "94 status", "114 traffic", "125 traffic");
        assertThat(mixed.get(4)).contains("hostnamesTerminate[0]").contains("BackendIsTLS: false");
        assertThat(mixed.get(5)).contains("hostnamesPassthrough[0]").contains("BackendIsTLS: true");
    }

    @Test
    void theNotSupportedTestsAreSkippedOnceTheirFeatureIsClaimed() {
        assertThat(Features.returnsEarly("TLSRouteListenerTerminateNotSupported", Set.of("TLSRouteModeTerminate")))
                .contains("TLSRouteModeTerminate");
        assertThat(Features.returnsEarly("TLSRouteListenerTerminateNotSupported", Set.of("TLSRoute"))).isNull();
        assertThat(Features.returnsEarly("TLSRouteListenerMixedTerminationNotSupported",
                Set.of("TLSRouteModeTerminate"))).isNull();
        assertThat(Features.returnsEarly("TLSRouteListenerMixedTerminationNotSupported",
                Set.of("TLSRouteModeTerminate", "TLSRouteModeMixed"))).contains("TLSRouteModeMixed");
        assertThat(Features.returnsEarly("TLSRouteSimpleSameNamespace", Features.CLAIMED)).isNull();
    }

    /** The status helpers the GATEWAY-TLS core tests call; each one is a case of TestRunner.runStatus. */
    private static final List<String> TLS_HELPERS = List.of("NamespacesMustBeReady", "GatewayAndTLSRoutesMustBeAccepted",
            "TLSRouteMustHaveResolvedRefsConditionsTrue", "TLSRouteMustHaveCondition", "TLSRouteMustHaveNoAcceptedParents",
            "GatewayMustHaveZeroRoutes", "GatewayStatusMustHaveListeners");

    @Test
    void theTlsTestsRunInTheGoOrder() throws Exception {
        Path tests = suite().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        List<String> hi = new TestRunner(null, TestSpec.load(tests.resolve("TLSRouteHostnameIntersection.json")))
                .describeTimeline();
        assertThat(hi).containsSubsequence("49 status NamespacesMustBeReady",
                "62 status GatewayAndTLSRoutesMustBeAccepted", "64 status TLSRouteMustHaveResolvedRefsConditionsTrue",
                "68 http #0", "78 other " + L4Clients.TLS_REJECTION, "88 status GatewayAndTLSRoutesMustBeAccepted",
                "154 other " + L4Clients.TLS_REJECTION, "192 other " + L4Clients.TLS_REJECTION);
        assertThat(hi.stream().filter(l -> l.contains(" http #")).count()).isEqualTo(7);
        assertThat(hi.stream().filter(l -> l.contains(" other ")).count()).isEqualTo(4);
        List<String> simple = new TestRunner(null, TestSpec.load(tests.resolve("TLSRouteSimpleSameNamespace.json")))
                .describeTimeline();
        assertThat(simple.stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList())
                .containsExactly("48 status", "50 status", "66 traffic");
        assertThat(simple.get(2)).contains("BackendIsTLS: true, Backend: tcp-backend");
        List<String> nonexistent = new TestRunner(null,
                TestSpec.load(tests.resolve("TLSRouteInvalidBackendRefNonexistent.json"))).describeTimeline();
        assertThat(nonexistent).containsExactly("51 status NamespacesMustBeReady",
                "54 status GatewayAndTLSRoutesMustBeAccepted", "64 status TLSRouteMustHaveCondition",
                "69 traffic " + L4Clients.TLS_REJECTION + "(gwAddr of gateway-tlsroute-invalid-backend-ref-nonexistent, "
                        + "hostnames[0] of invalid-backend-ref-nonexistent)");
    }

    @Test
    void aRejectionWhoseServerNameIsAnExpressionNeedsACase() throws Exception {
        Path tests = suite().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        ObjectNode hi = (ObjectNode) TestSpec.load(tests.resolve("TLSRouteHostnameIntersection.json")).json().deepCopy();
        ObjectNode extra = ((com.fasterxml.jackson.databind.node.ArrayNode) hi.get("other_traffic_checks")).addObject();
        extra.put("call", L4Clients.TLS_REJECTION).put("line", 200);
        com.fasterxml.jackson.databind.node.ArrayNode args = extra.putArray("args");
        args.addObject().put("expr", "suite.TimeoutConfig");
        args.add(hi.get("other_traffic_checks").get(0).path("args").get(1).deepCopy());
        args.addObject().put("expr", "serverStr");
        assertThat(TestRunner.harnessGaps(TestSpec.of(hi))).containsExactlyInAnyOrder(
                "note: " + TestRunner.TLS_REJECTION_NOTE, "other traffic checks 1");
    }

    @AfterAll
    static void done() {
        certs = null;
    }
}
