package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HarnessPiecesTest {
    @Test
    void podNetIsAnOctetOrAClearError() {
        assertThat(Backends.podNet("63")).isEqualTo(63);
        assertThatThrownBy(() -> Backends.podNet("10.96.63.0/24")).hasMessageContaining("127.N.x.y")
                .hasMessageContaining("10.96.63.0/24");
        assertThatThrownBy(() -> Backends.podNet("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backends.podNet("255")).isInstanceOf(IllegalArgumentException.class);
    }


    @Test
    void manifestsArePreparedLikeTheUpstreamApplier() {
        List<ObjectNode> docs = Manifests.prepare("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: g, namespace: ns}
                spec:
                  gatewayClassName: something-else
                  listeners: [{name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: c}
                spec: {controllerName: "{GATEWAY_CONTROLLER_NAME}"}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                """);
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).path("spec").path("gatewayClassName").asText()).isEqualTo("gateway-conformance");
        assertThat(docs.get(1).path("spec").path("controllerName").asText()).isEqualTo("archway.io/gateway-controller");
        // round trip through the YAML writer keeps wildcards and numbers intact
        List<ObjectNode> again = Json.readYamlDocuments(Json.writeYamlDocuments(docs));
        assertThat(again.get(0).path("spec").path("listeners").get(0).path("hostname").asText()).isEqualTo("*.example.com");
        assertThat(again.get(0).path("spec").path("listeners").get(0).path("port").isInt()).isTrue();
    }

    @Test
    void backendsFromTheBaseManifests() throws Exception {
        Path base = Environment.Settings.fromSystemProperties().suiteDir().resolve("base/base-manifests.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(base), "shared conformance data not present");
        Backends b = Backends.of(Json.readYamlDocuments(Manifests.substitute(Files.readString(base))));
        assertThat(b.pods("gateway-conformance-infra", "infra-backend-v1")).hasSize(2);
        assertThat(b.pods("gateway-conformance-infra", "infra-backend-v3")).hasSize(1);
        assertThat(b.pods("gateway-conformance-web-backend", "web-backend")).hasSize(2);
        EchoServer.Pod pod = b.pods("gateway-conformance-infra", "infra-backend-v1").get(0);
        assertThat(TestRunner.backendName(pod.name())).isEqualTo("infra-backend-v1");
        assertThat(pod.ip()).startsWith("127." + Backends.POD_NET + ".");
        assertThat(b.listenPorts(List.of()).get(pod)).contains(3000, 3001);
        List<ObjectNode> slices = b.endpointSlices(b.services());
        ObjectNode v1 = slices.stream().filter(s -> s.path("metadata").path("labels")
                .path("kubernetes.io/service-name").asText().equals("infra-backend-v1")).findFirst().orElseThrow();
        assertThat(v1.path("endpoints")).hasSize(2);
        assertThat(v1.path("ports").get(0).path("port").asInt()).isEqualTo(3000);
        assertThat(v1.path("ports").get(0).path("name").asText()).isEqualTo("first-port");
        assertThat(v1.path("endpoints").get(0).path("targetRef").path("name").asText()).isEqualTo(pod.name());
    }

    @Test
    void everyMutationTargetsAClaimedTestAndPrecedesTheNextEvent() throws Exception {
        Path tests = Environment.Settings.fromSystemProperties().suiteDir().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        for (String name : List.of("GatewayClassObservedGenerationBump", "GatewayObservedGenerationBump",
                "GatewayModifyListeners", "HTTPRouteObservedGenerationBump", "HTTPRouteReferenceGrant",
                "HTTPRouteServiceTypes")) {
            TestSpec spec = TestSpec.load(tests.resolve(name + ".json"));
            assertThat(spec.unclaimed(Features.CLAIMED)).as(name).isEmpty();
            for (Mutations.Mutation m : Mutations.forTest(name)) {
                boolean before = false;
                boolean after = false;
                for (var a : spec.json().path("status_assertions")) {
                    before |= a.path("line").asInt() < m.beforeLine();
                    after |= a.path("line").asInt() > m.beforeLine();
                }
                for (var e : spec.json().path("http_expectations")) {
                    for (var v : e.path("sentVia")) {
                        after |= v.path("line").asInt() > m.beforeLine();
                    }
                }
                assertThat(before && after).as(name + " mutation at " + m.beforeLine()).isTrue();
            }
        }
    }

    @Test
    void timelineFollowsTheUpstreamSourceOrder() throws Exception {
        Path tests = Environment.Settings.fromSystemProperties().suiteDir().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        List<String> modify = new TestRunner(null, TestSpec.load(tests.resolve("GatewayModifyListeners.json")))
                .describeTimeline();
        assertThat(modify).containsExactly(
                "49 status NamespacesMustBeReady",
                "52 status GatewayMustHaveLatestConditions",
                "76 mutate gateway-add-listener: add listener 'http' (data.test.com:80)",
                "80 status NamespacesMustBeReady",
                "125 status GatewayStatusMustHaveListeners",
                "128 status GatewayMustHaveLatestConditions",
                "140 status NamespacesMustBeReady",
                "143 status GatewayMustHaveLatestConditions",
                "163 mutate gateway-remove-listener: keep only listener 'http'",
                "167 status NamespacesMustBeReady",
                "192 status GatewayStatusMustHaveListeners",
                "195 status GatewayMustHaveLatestConditions");
        List<String> weight = new TestRunner(null, TestSpec.load(tests.resolve("HTTPRouteWeight.json"))).describeTimeline();
        assertThat(weight).containsExactly("49 status GatewayAndHTTPRoutesMustBeAccepted",
                "52 status HTTPRouteMustHaveResolvedRefsConditionsTrue", "64 http #0", "89 weights");
        List<String> grant = new TestRunner(null, TestSpec.load(tests.resolve("HTTPRouteReferenceGrant.json")))
                .describeTimeline();
        assertThat(grant).containsSubsequence("54 http #0",
                "73 mutate delete ReferenceGrant gateway-conformance-web-backend/reference-grant", "76 http #1");
    }

    @Test
    void everyCoreTestIsRunnableByTheHarness() throws Exception {
        Path tests = Environment.Settings.fromSystemProperties().suiteDir().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        int claimedCore = 0;
        {
            for (TestSpec spec : TestSpec.loadSuite(tests)) {
                if (!spec.unclaimed(Features.CLAIMED).isEmpty()) {
                    continue;
                }
                if ("core".equals(spec.json().path("profiles").path("GATEWAY-HTTP").path("level").asText())) {
                    claimedCore++;
                }
                assertThat(TestRunner.harnessGaps(spec)).as(spec.shortName()).isEmpty();
                for (var a : spec.json().path("status_assertions")) {
                    if (TestRunner.reproducedElsewhere(spec, a)) {
                        continue;
                    }
                    assertThat(KNOWN_HELPERS).as(spec.shortName()).contains(a.path("helper").asText());
                }
            }
        }
        // Every GATEWAY-HTTP core test of v1.6.1 is claimed, and runnable as checked above.
        assertThat(claimedCore).isEqualTo(37);
    }

    /** The status helpers TestRunner.runStatus implements (its switch cases). */
    private static final List<String> KNOWN_HELPERS = List.of(
            "BackendTLSPolicyMustHaveAcceptedConditionTrue", "BackendTLSPolicyMustHaveCondition",
            "BackendTLSPolicyMustHaveLatestConditions",
            "GWCMustHaveAcceptedConditionAny", "GWCMustHaveAcceptedConditionTrue",
            "GatewayAndHTTPRoutesMustBeAccepted", "GatewayAndRoutesMustBeAccepted",
            "GatewayAndTCPRoutesMustBeAccepted", "GatewayAndTLSRoutesMustBeAccepted",
            "GatewayAndUDPRoutesMustBeAccepted", "GatewayClassMustHaveLatestConditions",
            "GatewayListenerMustHaveConditions", "GatewayListenersMustHaveConditions",
            "GatewayMustHaveAttachedListeners", "GatewayMustHaveCondition", "GatewayMustHaveLatestConditions",
            "GatewayMustHaveZeroRoutes", "GatewayStatusMustHaveListeners", "HTTPRouteMustBeAcceptedAndResolved",
            "HTTPRouteMustHaveCondition", "HTTPRouteMustHaveLatestConditions",
            "HTTPRouteMustHaveNoAcceptedParents", "HTTPRouteMustHaveParents",
            "HTTPRouteMustHaveResolvedRefsConditionsTrue",
            "HTTPRouteMustHaveResolvedRefsMustHaveBackendsNotFound",
            "HTTPRouteMustHaveRouteAcceptedConditionsTrue", "ListenerSetListenersMustHaveConditions",
            "ListenerSetMustHaveCondition", "ListenerSetStatusMustHaveListeners", "NamespacesMustBeReady",
            "RoutesAndParentMustBeAccepted", "TCPRouteMustHaveCondition",
            "TCPRouteMustHaveNoAcceptedParents", "TCPRouteMustHaveParents", "TLSRouteMustHaveCondition",
            "TLSRouteMustHaveNoAcceptedParents", "TLSRouteMustHaveParents",
            "TLSRouteMustHaveResolvedRefsConditionsTrue", "UDPRouteMustHaveCondition",
            "UDPRouteMustHaveNoAcceptedParents", "UDPRouteMustHaveParents", "WaitForGatewayAddress");

    @Test
    void requestLooksLikeGos() {
        byte[] raw = HttpProbe.encode(new HttpProbe.Request("http", "127.0.0.1", 1, "GET", "example.com", "/a b?x=1",
                Map.of("x-custom", "v"), "", null, null, java.time.Duration.ofSeconds(1)));
        String s = new String(raw, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(s).startsWith("GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\n")
                .contains("X-Custom: v\r\n").contains("Connection: close\r\n").endsWith("\r\n\r\n");
    }

    @Test
    void markersTheHarnessDoesNotModelAreGaps() {
        TestSpec plain = TestSpec.of(Json.parse("""
                {"shortName": "X", "features": [], "manifests": [], "http_expectations": [
                  {"request": {"path": "/"}, "line": 5, "sentVia": [{"call": "http.MakeRequestAndExpectEventuallyConsistentResponse", "line": 9}]}]}
                """));
        assertThat(TestRunner.harnessGaps(plain)).isEmpty();
        TestSpec marked = TestSpec.of(Json.parse("""
                {"shortName": "X", "features": [], "manifests": [], "someNewMarker": ["x"],
                 "notes": ["mirroring is verified by reading pod logs"],
                 "unmodeled_calls_with_gateway_address": [{"call": "udpEchoSendOnce", "line": 7}],
                 "local_helper_calls": [{"call": "parentRefTo", "line": 3}, {"call": "someLocalHelper", "line": 4}],
                 "status_assertions": [{"helper": "HTTPRouteMustHaveParents", "line": 2, "args": [{"$unresolved": "lsRef"}]}],
                 "http_expectations": [{"request": {"path": "/"}, "line": 5, "unresolved": ["response"],
                   "sentVia": [{"call": "client.RequestBatch", "line": 9}]}]}
                """));
        assertThat(TestRunner.harnessGaps(marked)).containsExactlyInAnyOrder(
                "unknown marker 'someNewMarker'",
                "note: mirroring is verified by reading pod logs",
                "unmodelled call udpEchoSendOnce at line 7",
                "local helper someLocalHelper at line 4",
                "unresolved expression lsRef",
                "unresolved request field response (line 5)",
                "send client.RequestBatch at line 9 is neither a weighted distribution nor a custom check");
    }

    @Test
    void aSharedTestFunctionRunsWithTheSharingTestsOwnManifests() throws Exception {
        Path tests = Environment.Settings.fromSystemProperties().suiteDir().resolve("tests");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(tests), "shared conformance data not present");
        TestSpec backend = TestSpec.loadSuite(tests).stream()
                .filter(t -> t.shortName().equals("HTTPRouteBackendRequestHeaderModifier")).findFirst().orElseThrow();
        assertThat(backend.testFunction()).isEqualTo("HTTPRouteRequestHeaderModifier");
        assertThat(backend.manifests()).containsExactly("tests/httproute-request-header-modifier-backend.yaml");
        assertThat(backend.features()).contains("HTTPRouteBackendRequestHeaderModification");
        assertThat(backend.json().path("http_expectations")).hasSize(7);
        assertThat(TestRunner.harnessGaps(backend)).isEmpty();
        TestSpec orphan = TestSpec.of(Json.parse("""
                {"shortName": "Y", "sharesTestFuncWith": "Missing", "features": [], "manifests": []}
                """));
        assertThat(TestRunner.harnessGaps(orphan))
                .containsExactly("shares the test function of Missing, which the suite does not have");
    }

    private static HttpProbe.Response parse(String response) throws java.io.IOException {
        return HttpProbe.read(new java.io.ByteArrayInputStream(response.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                false, System.nanoTime() + 1_000_000_000L);
    }

    @Test
    void theProbeParsesResponsesAsStrictlyAsGosClient() throws Exception {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok").bodyText()).isEqualTo("ok");
        assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n").bodyText())
                .isEqualTo("ok");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"))
                .hasMessageContaining("malformed MIME header line");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n"))
                .hasMessageContaining("malformed MIME header line");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTP/1.1 2000 OK\r\n\r\n"))
                .hasMessageContaining("malformed HTTP status code");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTX/1.1 200 OK\r\n\r\n"))
                .hasMessageContaining("malformed HTTP version");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTP/1.1\r\n\r\n"))
                .hasMessageContaining("malformed HTTP response");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"))
                .hasMessageContaining("multiple Content-Length");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"))
                .hasMessageContaining("bad Content-Length");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")).hasMessageContaining("unsupported transfer encoding");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).hasMessageContaining("chunk length");
    }
}
