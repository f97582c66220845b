package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.translate.explain.RequestExplainer;
import io.archway.translate.explain.RequestExplanation;
import io.archway.translate.explain.RouteExplainer;
import io.archway.translate.explain.RouteExplanation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code explain route} and {@code explain request} on the conformance manifests. */
class ExplainConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INFRA = "gateway-conformance-infra";

    private static GoldenInput input(String test) throws IOException {
        final JsonNode json = JSON.readTree(Path.of("src/test/resources/conformance/tests", test + ".json").toFile());
        return ConformanceStatusTest.input(json);
    }

    private static RouteExplanation route(String test, String namespace, String name) throws IOException {
        final GoldenInput in = input(test);
        return new RouteExplainer(in.options).explain(in.view, namespace, name).orElseThrow();
    }

    @Test
    void notAllowedByListenersNamesTheNamespacePolicy() throws IOException {
        final RouteExplanation e = route("HTTPRouteInvalidCrossNamespaceParentRef", "gateway-conformance-web-backend",
                "invalid-cross-namespace-parent-ref");
        final RouteExplanation.Parent p = e.parents().get(0);
        assertThat(p.ours()).isTrue();
        assertThat(p.accepted()).isEqualTo("False");
        assertThat(p.reason()).isEqualTo("NotAllowedByListeners");
        assertThat(p.listeners()).allSatisfy(l -> {
            assertThat(l.attached()).isFalse();
            assertThat(l.reason()).isEqualTo("NotAllowedByListeners");
        });
        assertThat(p.listeners().get(0).why()).anySatisfy(w -> assertThat(w).isEqualTo(
                "allowedRoutes.namespaces.from Same: Gateway namespace gateway-conformance-infra, route namespace"
                        + " gateway-conformance-web-backend: not allowed"));
    }

    @Test
    void noMatchingListenerHostnameComparesTheHostnames() throws IOException {
        final RouteExplanation e = route("HTTPRouteHostnameIntersection", INFRA, "no-intersecting-hosts");
        final RouteExplanation.Parent p = e.parents().get(0);
        assertThat(p.reason()).isEqualTo("NoMatchingListenerHostname");
        assertThat(p.listeners()).isNotEmpty().allSatisfy(l -> {
            assertThat(l.reason()).isEqualTo("NoMatchingListenerHostname");
            assertThat(l.why().get(l.why().size() - 1)).startsWith("listener hostname " + l.hostname()
                    + " does not intersect route hostnames ");
        });
    }

    @Test
    void noMatchingParentNamesTheSectionName() throws IOException {
        final RouteExplanation e = route("HTTPRouteInvalidParentRefNotMatchingSectionName", INFRA,
                "httproute-listener-not-matching-section-name");
        final RouteExplanation.Parent p = e.parents().get(0);
        assertThat(p.reason()).isEqualTo("NoMatchingParent");
        assertThat(p.listeners()).allSatisfy(l -> {
            assertThat(l.reason()).isEqualTo("NoMatchingParent");
            assertThat(l.why().get(0)).startsWith("sectionName ").endsWith(" does not name this listener");
        });
    }

    @Test
    void acceptedRouteAndBackendResolution() throws IOException {
        final RouteExplanation ok = route("HTTPRouteSimpleSameNamespace", INFRA, "gateway-conformance-infra-test");
        assertThat(ok.parents().get(0).reason()).isEqualTo("Accepted");
        assertThat(ok.parents().get(0).listeners()).anySatisfy(l -> assertThat(l.attached()).isTrue());
        assertThat(ok.backends()).allSatisfy(b -> assertThat(b.resolved()).isTrue());

        final RouteExplanation grant = route("HTTPRouteInvalidCrossNamespaceBackendRef", INFRA,
                "invalid-cross-namespace-backend-ref");
        assertThat(grant.parents().get(0).resolvedRefs()).isEqualTo("RefNotPermitted");
        assertThat(grant.backends().get(0).reason()).isEqualTo("RefNotPermitted");
        final RouteExplanation missing = route("HTTPRouteInvalidNonExistentBackendRef", INFRA,
                "invalid-nonexistent-backend-ref");
        assertThat(missing.backends().get(0).reason()).isEqualTo("BackendNotFound");
    }

    @Test
    void requestWinnerLosersAndWhy() throws IOException {
        final GoldenInput in = input("HTTPRouteMatchingAcrossRoutes");
        final RequestExplainer explainer = new RequestExplainer(in.options);
        final RequestExplanation e = explainer.explain(in.view, new RequestExplainer.Query(INFRA + "/same-namespace",
                null, "example.com", "GET", "/v2/example", Map.of()));
        assertThat(e.answers()).hasSize(1);
        final RequestExplanation.PortAnswer a = e.answers().get(0);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.backends()).anySatisfy(b -> assertThat(b.name()).isEqualTo("infra-backend-v2"));
        assertThat(a.route().route()).isEqualTo("HTTPRoute gateway-conformance-infra/matching-part2");
        assertThat(a.entries()).anySatisfy(x -> {
            assertThat(x.outcome()).isEqualTo("LOWER_PRECEDENCE");
            assertThat(x.reason()).contains("path length: /v2 (3 characters) beats / (1)");
        });
        assertThat(a.entries()).anySatisfy(x -> assertThat(x.outcome()).isEqualTo("NO_MATCH"));

        final RequestExplanation.PortAnswer miss = explainer.explain(in.view, new RequestExplainer.Query(
                INFRA + "/same-namespace", null, "nothing.example", "GET", "/", Map.of())).answers().get(0);
        assertThat(miss.status()).isEqualTo(404);
        assertThat(miss.outcome()).startsWith("404: no route hostname on listener");

        final RequestExplanation none = explainer.explain(in.view, new RequestExplainer.Query("nope/nope", null,
                "example.com", "GET", "/", Map.of("x", List.of("y"))));
        assertThat(none.answers()).isEmpty();
        assertThat(none.notFound()).startsWith("404: no socket serves Gateway nope/nope");
    }
}
