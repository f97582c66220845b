package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TCP/UDP/DNS backends, clients, status helpers and cases of the GATEWAY-TCP/UDP tests. */
class L4HarnessTest {
    private static final EchoServer.Pod POD = new EchoServer.Pod("gateway-conformance-infra",
            "tcp-backend-v1-bcdfghjklm-npqrs", "tcp-backend-v1", "127.0.0.1");
    private final L4Echo echo = new L4Echo();
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void close() {
        echo.close();
    }

    private InetSocketAddress tcp(String service) throws Exception {
        return echo.listenTcp("127.0.0.1", 0, L4Echo.PodContext.of(POD, service));
    }

    @Test
    void tcpServerAnswersLikeEchoBasicsTcpserver() throws Exception {
        InetSocketAddress addr = tcp("tcp-backend-v1");
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(L4Clients.readString(in)).isEqualTo("Gateway API Test TCP Server\n");
            // unknown lines are ignored; \r\n is a line end (bufio.ScanLines)
            out.write("HELLO\nPING\r\nIS_TLS\nTEST\n".getBytes(StandardCharsets.UTF_8));
            assertThat(L4Clients.readString(in)).isEqualTo("PONG\n");
            assertThat(L4Clients.readString(in)).isEqualTo("false\n");
            assertThat(L4Clients.readString(in)).isEqualTo("{\"namespace\":\"gateway-conformance-infra\",\"ingress\":\"\","
                    + "\"service\":\"tcp-backend-v1\",\"pod\":\"tcp-backend-v1-bcdfghjklm-npqrs\",\"tcpport\":\"3000\","
                    + "\"tlsport\":\"8443\",\"isTLS\":false}\n");
            s.shutdownOutput();
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(L4Clients.tcpEchoSendOnce(addr, Duration.ofSeconds(2))).isEqualTo(POD.name());
    }

    @Test
    void udpServerAnswersLikeUdpechoserver() throws Exception {
        InetSocketAddress addr = echo.listenUdp("127.0.0.1", 0, L4Echo.PodContext.of(POD, "udp-echo"));
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(addr);
            s.setSoTimeout(2000);
            byte[] probe = "a<b>&\"c\"\n".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(probe, probe.length));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            // Go's encoding/json: HTML-safe escapes
            assertThat(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"request\":\"a\\u003cb\\u003e\\u0026\\\"c\\\"\\n\",\"namespace\":\"gateway-conformance-infra\","
                            + "\"ingress\":\"\",\"service\":\"udp-echo\",\"pod\":\"tcp-backend-v1-bcdfghjklm-npqrs\"}");
            // the server reads into 1024 bytes: a longer datagram is cut
            byte[] big = "x".repeat(2000).getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(big, big.length));
            p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            JsonNode r = Json.parse(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
            assertThat(r.path("request").asText()).hasSize(1024);
        }
        assertThat(L4Clients.udpEchoSendOnce(addr, Duration.ofSeconds(2))).isEqualTo(POD.name());
        assertThat(L4Clients.udpExpectEcho(Duration.ofSeconds(3), addr, "udp-echo", "gateway-conformance-infra", log::add))
                .isNull();
        assertThat(L4Clients.udpExpectEcho(Duration.ofMillis(1500), addr, "other", "", log::add))
                .contains("never succeeded").contains("service=\"other\"");
    }

    @Test
    void corednsStandInAnswersWhoamiForFooBarComAndServfailElsewhere() throws Exception {
        InetSocketAddress addr = echo.listenDns("127.0.0.1", 0);
        L4Echo.Dns.Message r = L4Clients.dnsExchange(addr, "foo.bar.com.");
        assertThat(r.response()).isTrue();
        assertThat(r.rcode()).isZero();
        assertThat(r.flags() & 0x0400).as("authoritative").isNotZero();
        assertThat(r.flags() & 0x0100).as("RD copied").isNotZero();
        assertThat(r.questions()).containsExactly("foo.bar.com. 1/1");
        assertThat(r.records()).hasSize(2);
        assertThat(r.records().get(0).section()).isEqualTo("additional");
        assertThat(r.records().get(0).type()).isEqualTo(L4Echo.Dns.TYPE_A);
        assertThat(r.records().get(0).data()).isEqualTo("127.0.0.1");
        assertThat(r.records().get(1).name()).isEqualTo("_udp.foo.bar.com.");
        assertThat(r.records().get(1).data()).startsWith("0 0 ").endsWith(" .");
        L4Echo.Dns.Message other = L4Clients.dnsExchange(addr, "example.org.");
        assertThat(other.rcode()).isEqualTo(L4Echo.Dns.RCODE_SERVFAIL);
        assertThat(other.records()).isEmpty();
        assertThatThrownBy(() -> L4Echo.Dns.parse(new byte[] {0, 1, 2}, 3)).hasMessageContaining("short");
    }

    @Test
    void dnsExchangeSkipsRepliesWithAnotherIdAndFailsOnGarbage() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Thread t = new Thread(() -> {
                try {
                    byte[] buf = new byte[512];
                    DatagramPacket q = new DatagramPacket(buf, buf.length);
                    server.receive(q);
                    byte[] wrong = L4Echo.Dns.answer(buf, q.getLength(), (InetSocketAddress) q.getSocketAddress());
                    wrong[0] ^= 0x55;
                    server.send(new DatagramPacket(wrong, wrong.length, q.getSocketAddress()));
                    byte[] right = L4Echo.Dns.answer(buf, q.getLength(), (InetSocketAddress) q.getSocketAddress());
                    server.send(new DatagramPacket(right, right.length, q.getSocketAddress()));
                    q = new DatagramPacket(buf, buf.length);
                    server.receive(q);
                    byte[] garbage = {buf[0], buf[1], (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'};
                    server.send(new DatagramPacket(garbage, garbage.length, q.getSocketAddress()));
                } catch (Exception e) {
                    // the test fails on the client side
                }
            });
            t.start();
            InetSocketAddress addr = (InetSocketAddress) server.getLocalSocketAddress();
            assertThat(L4Clients.dnsExchange(addr, "foo.bar.com.").records()).hasSize(2);
            assertThatThrownBy(() -> L4Clients.dnsExchange(addr, "foo.bar.com.")).hasMessageContaining("overflow");
            t.join(2000);
        }
    }

    @Test
    void tcpEventuallyValidJudgesTheFirstCompletedExchange() throws Exception {
        InetSocketAddress addr = tcp("");
        assertThat(L4Clients.tcpEventuallyValid(addr, "tcp-backend-v1", "gateway-conformance-infra",
                Duration.ofSeconds(3), log::add)).isEmpty();
        // the exchange completes but names another backend: an assertion failure, not a retry
        assertThat(L4Clients.tcpEventuallyValid(addr, "tcp-backend-v2", "gateway-conformance-infra",
                Duration.ofSeconds(3), log::add)).singleElement().asString().contains("pod prefix");
        assertThat(L4Clients.tcpEventuallyValid(addr, "tcp-backend-v1", "other", Duration.ofSeconds(3), log::add))
                .singleElement().asString().contains("namespace does not match");
        // nobody listening: retried every second until the wait runs out
        InetSocketAddress closed;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = (InetSocketAddress) ss.getLocalSocketAddress();
        }
        long start = System.nanoTime();
        assertThat(L4Clients.tcpEventuallyValid(closed, "x", "y", Duration.ofMillis(2500), log::add))
                .singleElement().asString().contains("Condition never satisfied");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1900), Duration.ofMillis(3500));
        assertThat(log).anyMatch(l -> l.contains("client could not connect"));
        assertThat(L4Clients.expectAddressAvailable(Duration.ofMillis(100), Duration.ofMillis(500), closed, log::add))
                .contains("failed waiting for TCP connection");
        assertThat(L4Clients.expectAddressAvailable(Duration.ofMillis(100), Duration.ofMillis(500), addr, log::add))
                .isNull();
    }

    @Test
    void weightedDistributionOverASender() {
        Map<String, Double> weights = Map.of("tcp-backend-v1", 0.7, "tcp-backend-v2", 0.3, "tcp-backend-v3", 0.0);
        AtomicInteger n = new AtomicInteger();
        assertThat(L4Clients.weightedDistribution(() -> n.getAndIncrement() % 10 < 7 ? "tcp-backend-v1-abc-def"
                : "tcp-backend-v2-abc-def", weights)).isNull();
        assertThat(L4Clients.weightedDistribution(() -> "tcp-backend-v1-abc-def", weights))
                .contains("expected 2 backends to receive traffic, but got 1");
        assertThat(L4Clients.weightedDistribution(() -> "tcp-backend-v9-abc-def", weights))
                .contains("unexpected pod \"tcp-backend-v9-abc-def\"");
        assertThat(L4Clients.weightedDistribution(() -> {
            throw new java.io.IOException("dialing TCP x: refused");
        }, weights)).isEqualTo("error while sending requests: dialing TCP x: refused");
    }

    @Test
    void backendsRunTheServerTheirDeploymentAsksFor() throws Exception {
        Path base = Environment.Settings.fromSystemProperties().suiteDir().resolve("base/base-manifests.yaml");
        Path test = Environment.Settings.fromSystemProperties().suiteDir()
                .resolve("manifests/tests/udproute-weighted-routing.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(base) && Files.exists(test), "shared data not present");
        Backends b = Backends.of(Json.readYamlDocuments(Manifests.substitute(Files.readString(base))));
        List<Backends.L4Listen> l4 = b.l4Listeners();
        assertThat(l4).anyMatch(l -> l.server() == Backends.Server.DNS && l.port() == 53
                && l.pod().name().startsWith("coredns-"));
        // the plain tcpserver ports (tcpserver's TLS port: TlsHarnessTest)
        assertThat(l4).filteredOn(l -> l.server() == Backends.Server.TCP && l.tls() == null).hasSize(2)
                .allMatch(l -> l.port() == 3000 && l.pod().name().startsWith("tcp-backend-")
                        && l.context().service().isEmpty());
        // a TCP pod is not also an HTTP echo pod
        EchoServer.Pod tcpPod = b.pods("gateway-conformance-infra", "tcp-backend").get(0);
        assertThat(b.listenPorts(List.of()).get(tcpPod)).isEmpty();
        // a test's own Deployments become pods, once
        List<com.fasterxml.jackson.databind.node.ObjectNode> docs = Json.readYamlDocuments(
                Manifests.substitute(Files.readString(test)));
        assertThat(b.addDeployments(docs)).hasSize(3);
        assertThat(b.addDeployments(docs)).isEmpty();
        EchoServer.Pod v1 = b.pods("gateway-conformance-infra", "udp-backend-v1").get(0);
        assertThat(TestRunner.backendName(v1.name())).isEqualTo("udp-backend-v1");
        assertThat(b.l4Listeners()).anyMatch(l -> l.pod().equals(v1) && l.server() == Backends.Server.UDP
                && l.port() == 8080 && l.context().service().equals("udp-backend-v1"));
        Backends.Service svc = Backends.parseService(docs.get(0));
        JsonNode slice = b.endpointSlices(List.of(svc)).get(0);
        assertThat(slice.path("ports").get(0).path("protocol").asText()).isEqualTo("UDP");
        assertThat(slice.path("ports").get(0).path("port").asInt()).isEqualTo(8080);
        assertThat(slice.path("endpoints").get(0).path("addresses").get(0).asText()).isEqualTo(v1.ip());
    }

    private static Path tests() {
        return Environment.Settings.fromSystemProperties().suiteDir().resolve("tests");
    }

    @Test
    void everyTcpAndUdpTestIsRunnableAndEachManualOneHasACase() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests()), "shared conformance data not present");
        int n = 0;
        for (TestSpec spec : TestSpec.loadSuite(tests())) {
            if (!spec.shortName().startsWith("TCPRoute") && !spec.shortName().startsWith("UDPRoute")) {
                continue;
            }
            n++;
            assertThat(TestRunner.harnessGaps(spec)).as(spec.shortName()).isEmpty();
            assertThat(L4Cases.forTest(spec.shortName()) != null).as(spec.shortName()).isEqualTo(spec.manual());
        }
        assertThat(n).isEqualTo(17);
        // 11 TCP/UDP cases, 5 GATEWAY-TLS ones (TlsHarnessTest), HTTPRouteBackendProtocolWebSocket
        assertThat(L4Cases.implementedManualTests()).hasSize(17);
    }

    @Test
    void manualTestsWithoutACaseAndUnacknowledgedMarkersStayGaps() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests()), "shared conformance data not present");
        TestSpec mesh = TestSpec.load(tests().resolve("MeshFrontend.json"));
        assertThat(TestRunner.harnessGaps(mesh)).anyMatch(g -> g.startsWith("manual: "));
        // the WebSocket case reproduces every marker of its test
        TestSpec ws = TestSpec.load(tests().resolve("HTTPRouteBackendProtocolWebSocket.json"));
        assertThat(TestRunner.harnessGaps(ws)).isEmpty();
        // a marker the case does not name is still a gap
        com.fasterxml.jackson.databind.node.ObjectNode udp = (com.fasterxml.jackson.databind.node.ObjectNode)
                TestSpec.load(tests().resolve("UDPRoute.json")).json().deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) udp.get("unmodeled_calls_with_gateway_address")).addObject()
                .put("call", "net.Dial").put("line", 99);
        udp.putArray("other_traffic_checks").addObject().put("call", "udp.ExpectEchoResponse").put("line", 70);
        assertThat(TestRunner.harnessGaps(TestSpec.of(udp))).containsExactlyInAnyOrder(
                "unmodelled call net.Dial at line 99", "other traffic checks 1");
        // a case must replay every extracted assertion
        com.fasterxml.jackson.databind.node.ObjectNode grant = (com.fasterxml.jackson.databind.node.ObjectNode)
                TestSpec.load(tests().resolve("TCPRouteReferenceGrant.json")).json().deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) grant.get("status_assertions")).addObject()
                .put("helper", "TCPRouteMustHaveCondition").put("line", 95);
        grant.remove("other_traffic_checks");
        assertThat(TestRunner.harnessGaps(TestSpec.of(grant))).containsExactlyInAnyOrder(
                "case does not replay TCPRouteMustHaveCondition at line 95 #0",
                "case step: the extraction has no tcp.MakeTCPRequestAndExpectEventuallyValidResponse@63",
                "case acknowledges other:tcp.MakeTCPRequestAndExpectEventuallyValidResponse@63, which the extraction "
                        + "does not have");
    }

    @Test
    void casesRunInTheGoExecutionOrder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests()), "shared conformance data not present");
        List<String> ports = new TestRunner(null, TestSpec.load(tests().resolve("TCPRouteParentRefPortAndSectionName.json")))
                .describeTimeline();
        assertThat(ports.stream().map(l -> l.split(" ")[0]).toList())
                .containsExactly("51", "90", "76", "81", "97", "76", "81", "104", "76", "81");
        assertThat(ports.get(2)).contains("WaitForGatewayAddress [listener=one]");
        assertThat(ports.get(9)).contains("backend tcp-echo-three");
        List<String> multi = new TestRunner(null, TestSpec.load(tests().resolve("TCPRouteMultipleRoutesAttachment.json")))
                .describeTimeline();
        assertThat(multi).containsSubsequence("60 status GatewayAndTCPRoutesMustBeAccepted",
                "64 mutate sleep 1 s (creationTimestamp has second precision), then create TCPRoute tcproute-attach-newer"
                        + " (sectionName tcp, backend tcp-attach-backend-2:3000)",
                "99 status TCPRouteMustHaveCondition", "100 status TCPRouteMustHaveCondition",
                "117 status GatewayStatusMustHaveListeners");
        assertThat(multi.get(multi.size() - 1)).startsWith("145 traffic 100 x tcp.EchoSendOnce");
        List<String> grant = new TestRunner(null, TestSpec.load(tests().resolve("UDPRouteReferenceGrant.json")))
                .describeTimeline();
        assertThat(grant.stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList()).containsExactly(
                "55 status", "57 status", "65 status", "69 traffic", "80 mutate", "88 status");
        List<String> attach = new TestRunner(null,
                TestSpec.load(tests().resolve("UDPRouteParentRefAttachAllListeners.json"))).describeTimeline();
        assertThat(attach).hasSize(9);
        assertThat(attach.get(8)).contains("listener udp-3");
        // the status-only tests keep the line-ordered timeline
        assertThat(new TestRunner(null, TestSpec.load(tests().resolve("UDPRouteNotAllowedByListeners.json")))
                .describeTimeline()).containsExactly("55 status NamespacesMustBeReady",
                "58 status UDPRouteMustHaveCondition", "66 status GatewayMustHaveZeroRoutes");
    }

    @Test
    void routeKindFromTheHelper() {
        assertThat(TestRunner.routeKindOf("TCPRouteMustHaveCondition")).isEqualTo("TCPRoute");
        assertThat(TestRunner.routeKindOf("UDPRouteMustHaveNoAcceptedParents")).isEqualTo("UDPRoute");
        assertThat(TestRunner.routeKindOf("HTTPRouteMustHaveParents")).isEqualTo("HTTPRoute");
    }
}
