package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.WeightedBackend;
import io.archway.snapshot.dispatch.CompiledPort;
import io.archway.snapshot.dispatch.SimpleRequest;
import io.archway.translate.ResourceKey;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.explain.RequestExplainer;
import io.archway.translate.explain.RequestExplanation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Sends the HTTP expectations of the GATEWAY-HTTP core conformance tests through the data plane's
 * own dispatcher ({@link CompiledPort}, io.archway.snapshot.dispatch) over the translated snapshot, and checks the
 * outcome the suite expects: 404 (no entry), 500 (no backend, zero total weight, or only invalid
 * backends), a redirect's status code, or 200 from the expected backend Service and namespace.
 * Filters' effects on the request are the data plane's business and are not checked here.
 */
class ConformanceRoutingTest {
    private static final Path ROOT = Path.of("src/test/resources/conformance");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "test:line" of expectations that hold only after the test changed its resources. */
    private static final java.util.Set<String> AFTER_MUTATION = java.util.Set.of(
            "HTTPRouteReferenceGrant:76"); // after deleting the ReferenceGrant
    /** Tests whose endpoints the suite fills in at runtime (manual EndpointSlices, selector-less Services). */
    private static final java.util.Set<String> RUNTIME_ENDPOINTS = java.util.Set.of("HTTPRouteServiceTypes");

    @TestFactory
    Stream<DynamicTest> coreTrafficExpectations() throws IOException {
        final List<Path> tests;
        try (Stream<Path> files = Files.list(ROOT.resolve("tests"))) {
            tests = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return tests.stream().flatMap(ConformanceRoutingTest::cases);
    }

    private static Stream<DynamicTest> cases(Path testFile) {
        try {
            final JsonNode test = JSON.readTree(testFile.toFile());
            if (test.get("http_expectations").isEmpty()) {
                return Stream.empty();
            }
            final GoldenInput input = ConformanceStatusTest.input(test);
            final Translation t = new Translator(input.options).translate(input.view, 1);
            final String name = test.get("shortName").asText();
            return java.util.stream.StreamSupport.stream(test.get("http_expectations").spliterator(), false)
                    .filter(e -> !AFTER_MUTATION.contains(name + ":" + e.get("line").asInt()))
                    .flatMap(e -> java.util.stream.StreamSupport.stream(e.get("sentVia").spliterator(), false)
                            .map(via -> DynamicTest.dynamicTest(name + ":" + e.get("line").asInt() + " "
                                    + e.get("request").path("host").asText("") + e.get("request").get("path").asText(),
                                    () -> check(input, t, e, via, RUNTIME_ENDPOINTS.contains(name)))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void check(GoldenInput input, Translation t, JsonNode expectation, JsonNode via,
                              boolean runtimeEndpoints) {
        final JsonNode gw = via.get("gatewayAddr").get("gateway");
        final ResourceKey key = new ResourceKey("Gateway", gw.get("namespace").asText(), gw.get("name").asText());
        final GatewayStatus status = t.status().gateways().get(key);
        assertThat(status).as("status of " + key).isNotNull();
        final String address = status.getAddresses().get(0).getValue();
        final int port = port(input, key, via.get("gatewayAddr").get("listeners"));
        final JsonNode request = expectation.get("request");
        final Map<String, String> headers = new HashMap<>();
        request.path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
        final String host = request.hasNonNull("host") ? request.get("host").asText() : address;
        final Optional<HttpRouteEntry> entry = dispatch(t.snapshot(), address, port,
                SimpleRequest.of(request.get("method").asText("GET"), request.get("path").asText(), host, headers));
        final int expected = expectation.get("response").get("statusCodes").get(0).asInt();
        final String what = request + " -> " + entry.map(HttpRouteEntry::toString).orElse("404");
        explainAgrees(input, t, key, port, host, request, headers, entry, expected, what);
        switch (expected) {
            case 404 -> assertThat(entry).as(what).isEmpty();
            case 500 -> {
                assertThat(entry).as(what).isPresent();
                assertThat(entry.get().backends().stream().filter(b -> b.weight() > 0).allMatch(b -> !b.valid()))
                        .as(what + ": every backend with weight is invalid (or none)").isTrue();
            }
            case 301, 302, 303, 307, 308 -> {
                assertThat(entry).as(what).isPresent();
                assertThat(entry.get().filters()).as(what).anySatisfy(f -> assertThat(f)
                        .isInstanceOfSatisfying(HttpFilter.RequestRedirect.class,
                                r -> assertThat(r.statusCode()).isEqualTo(expected)));
            }
            default -> {
                assertThat(expected).as(what).isEqualTo(200);
                assertThat(entry).as(what).isPresent();
                assertThat(entry.get().filters()).as(what).noneMatch(f -> f instanceof HttpFilter.RequestRedirect);
                final String backend = expectation.path("backend").asText("");
                final String namespace = expectation.get("namespace").asText();
                final List<WeightedBackend> candidates = entry.get().backends().stream()
                        .filter(b -> b.weight() > 0 && b.valid() && b.origin().namespace().equals(namespace)
                                && (runtimeEndpoints || !b.endpoints().isEmpty() && b.origin().name().startsWith(backend)))
                        .toList();
                assertThat(candidates).as(what + ": a ready backend " + namespace + "/" + backend + "*").isNotEmpty();
            }
        }
    }

    /**
     * {@code archway explain request} on the same request names the same entry, and its answer is
     * the status class the suite expects (and, for 200, offers the expected backend).
     */
    private static void explainAgrees(GoldenInput input, Translation t, ResourceKey gateway, int port, String host,
                                      JsonNode request, Map<String, String> headers, Optional<HttpRouteEntry> entry,
                                      int expected, String what) {
        final Map<String, List<String>> multi = new HashMap<>();
        headers.forEach((k, v) -> multi.put(k, List.of(v)));
        final RequestExplanation e = new RequestExplainer(input.options).explain(input.view, t,
                new RequestExplainer.Query(gateway.namespace() + "/" + gateway.name(), port, host,
                        request.get("method").asText("GET"), request.get("path").asText(), multi));
        assertThat(e.answers()).as("explain: " + what).hasSize(1);
        final RequestExplanation.PortAnswer a = e.answers().get(0);
        if (entry.isEmpty()) {
            assertThat(a.route()).as("explain: " + what).isNull();
            assertThat(a.status()).as("explain: " + what).isEqualTo(404);
            return;
        }
        final RouteOrigin o = entry.get().origin();
        assertThat(a.route()).as("explain: " + what).isNotNull();
        assertThat(a.route().route()).as("explain: " + what).isEqualTo(o.kind() + " " + o.namespace() + "/" + o.name());
        assertThat(a.route().ruleIndex()).as("explain: " + what).isEqualTo(o.ruleIndex());
        assertThat(a.route().matchIndex()).as("explain: " + what).isEqualTo(o.matchIndex());
        if (expected == 500 || (expected >= 301 && expected <= 308)) {
            assertThat(a.status()).as("explain: " + what + " " + a.outcome()).isEqualTo(expected);
        }
    }

    /** The entry a request reaches through the data plane's own dispatcher, or empty for a 404. */
    static Optional<HttpRouteEntry> dispatch(RoutingSnapshot snapshot, String address, int port, SimpleRequest request) {
        return snapshot.ports().stream().filter(p -> p.address().equals(address) && p.port() == port).findFirst()
                .map(p -> CompiledPort.of(p).route(request));
    }

    /** GatewayAndHTTPRoutesMustBeAccepted: the first listener's port, or that of the first named one. */
    private static int port(GoldenInput input, ResourceKey key, JsonNode names) {
        final Gateway gateway = input.view.gateways().stream().filter(g -> g.getMetadata().getName().equals(key.name())
                && g.getMetadata().getNamespace().equals(key.namespace())).findFirst().orElseThrow();
        final List<Listener> listeners = gateway.getSpec().getListeners();
        if (names != null && !names.isEmpty()) {
            return listeners.stream().filter(l -> l.getName().equals(names.get(0).asText())).findFirst()
                    .orElseThrow().getPort();
        }
        return listeners.get(0).getPort();
    }
}
