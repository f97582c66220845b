package io.archway.translate.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.StringMatchType;
import io.archway.translate.ResourceView;
import io.archway.translate.golden.SpecCase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code archway explain request}: which precedence step (HTTPRouteRule.matches) makes the winner
 * win, what the winning rule does, and how its backend weights split the traffic
 * (HTTPBackendRef.weight; an invalid backend's share is answered 500, one without ready endpoints 503).
 */
class RequestExplainerTest {

    private static HttpRouteEntry entry(String ns, String name, int rule, int match, PathMatch path, String method,
                                        int headers, int queries) {
        return new HttpRouteEntry(new RouteOrigin("HTTPRoute", ns, name, rule, null, match),
                new HttpRequestMatch(path, method,
                        java.util.stream.IntStream.range(0, headers).mapToObj(i -> new HeaderMatch("h" + i,
                                StringMatchType.EXACT, "v")).toList(),
                        java.util.stream.IntStream.range(0, queries).mapToObj(i -> new QueryParamMatch("q" + i,
                                StringMatchType.EXACT, "v")).toList()),
                List.of(), List.of());
    }

    private static final PathMatch PREFIX_A = new PathMatch(PathMatch.Type.PATH_PREFIX, "/a");

    private static String step(HttpRouteEntry winner, HttpRouteEntry loser) {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: old, namespace: ns, creationTimestamp: '2020-01-01T00:00:00Z'}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: new, namespace: ns, creationTimestamp: '2024-01-01T00:00:00Z'}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: new-too, namespace: ns, creationTimestamp: '2024-01-01T00:00:00Z'}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: undated, namespace: ns}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: offset, namespace: ns, creationTimestamp: '2024-01-01T10:00:00+02:00'}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: utc, namespace: ns, creationTimestamp: '2024-01-01T09:00:00Z'}
                """);
        final ResourceView view = c.view();
        return RequestExplainer.decidingStep(view, winner, loser);
    }

    /**
     * An HTTPS request explained with the connection's SNI name gets the proxy's answer: 421 when
     * its Host selects another listener than the name did (GatewayHTTPSListenerDetectMisdirectedRequests).
     */
    @Test
    void anHttpsRequestWithTheSniOfAnotherListenerIsMisdirected() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: gateway-conformance-infra}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - {name: second, port: 443, protocol: HTTPS, hostname: second-example.org,
                     tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}}
                  - {name: any, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: gateway-conformance-infra}
                spec:
                  parentRefs: [{name: gw, sectionName: any}]
                  hostnames: [example.org]
                """);
        final RequestExplainer explainer = new RequestExplainer(c.options());
        final RequestExplanation misdirected = explainer.explain(c.view(), new RequestExplainer.Query(
                "gateway-conformance-infra/gw", 443, "example.org", "GET", "/", Map.of(), "second-example.org"));
        final RequestExplanation.PortAnswer a = misdirected.answers().get(0);
        assertThat(a.status()).isEqualTo(421);
        assertThat(a.outcome()).isEqualTo("421: misdirected: the SNI name second-example.org selects listener "
                + "gateway-conformance-infra/gw/second, the Host selects listener gateway-conformance-infra/gw/any");
        assertThat(a.decisions()).singleElement().satisfies(d -> assertThat(d.kind()).isEqualTo("MISDIRECTED"));
        // The same request on a connection opened for its own listener, or without SNI: routed.
        for (String sni : new String[] {"example.org", null}) {
            final RequestExplanation.PortAnswer routed = explainer.explain(c.view(), new RequestExplainer.Query(
                    "gateway-conformance-infra/gw", 443, "example.org", "GET", "/", Map.of(), sni)).answers().get(0);
            assertThat(routed.status()).as("SNI %s", sni).isNotEqualTo(421);
            assertThat(routed.route()).isNotNull();
        }
    }

    @Test
    void decidingStepNamesThePrecedenceRuleThatDecides() {
        assertThat(step(entry("ns", "r", 0, 0, new PathMatch(PathMatch.Type.EXACT, "/a"), null, 0, 0),
                entry("ns", "r", 0, 0, PREFIX_A, null, 0, 0))).isEqualTo("path match type: Exact beats PathPrefix");
        assertThat(step(entry("ns", "r", 0, 0, new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, "/a"), null, 0, 0),
                entry("ns", "r", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("path match type: RegularExpression beats PathPrefix");
        assertThat(step(entry("ns", "r", 0, 0, new PathMatch(PathMatch.Type.PATH_PREFIX, "/a/b"), null, 0, 0),
                entry("ns", "r", 0, 0, PREFIX_A, null, 0, 0))).isEqualTo("path length: /a/b (4 characters) beats /a (2)");
        assertThat(step(entry("ns", "r", 0, 0, PREFIX_A, "GET", 0, 0), entry("ns", "r", 0, 0, PREFIX_A, null, 2, 2)))
                .isEqualTo("method match: GET beats none");
        assertThat(step(entry("ns", "r", 0, 0, PREFIX_A, "GET", 2, 0), entry("ns", "r", 0, 0, PREFIX_A, "PUT", 1, 5)))
                .isEqualTo("header matches: 2 vs 1");
        assertThat(step(entry("ns", "r", 0, 0, PREFIX_A, null, 1, 3), entry("ns", "r", 0, 0, PREFIX_A, null, 1, 1)))
                .isEqualTo("query param matches: 3 vs 1");
        assertThat(step(entry("ns", "old", 0, 0, PREFIX_A, null, 0, 0), entry("ns", "new", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("route age: created 2020-01-01T00:00:00Z, before 2024-01-01T00:00:00Z");
        assertThat(step(entry("ns", "old", 0, 0, PREFIX_A, null, 0, 0),
                entry("ns", "undated", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("route age: created 2020-01-01T00:00:00Z, before an unknown time");
        // As strings "2024-01-01T09:00:00Z" sorts first; as instants 10:00+02:00 (08:00Z) is older.
        assertThat(step(entry("ns", "offset", 0, 0, PREFIX_A, null, 0, 0),
                entry("ns", "utc", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("route age: created 2024-01-01T08:00:00Z, before 2024-01-01T09:00:00Z");
        assertThat(step(entry("ns", "new", 0, 0, PREFIX_A, null, 0, 0),
                entry("ns", "new-too", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("route name: ns/new before ns/new-too");
        assertThat(step(entry("ns", "a", 0, 0, PREFIX_A, null, 0, 0), entry("other", "a", 0, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("route name: ns/a before other/a");
        assertThat(step(entry("ns", "r", 1, 0, PREFIX_A, null, 0, 0), entry("ns", "r", 2, 0, PREFIX_A, null, 0, 0)))
                .isEqualTo("rule order: rule 1 before rule 2");
        assertThat(step(entry("ns", "r", 1, 0, PREFIX_A, null, 0, 0), entry("ns", "r", 1, 1, PREFIX_A, null, 0, 0)))
                .isEqualTo("match order: match 0 before match 1");
    }

    @Test
    void filtersInWords() {
        final HeaderEdits edits = new HeaderEdits(List.of(new Header("a", "1")), List.of(new Header("b", "2")),
                List.of("c"));
        assertThat(RequestExplainer.describe(new HttpFilter.RequestHeaderModifier(edits)))
                .isEqualTo("RequestHeaderModifier set a: 1, add b: 2, remove c");
        assertThat(RequestExplainer.describe(new HttpFilter.ResponseHeaderModifier(edits)))
                .isEqualTo("ResponseHeaderModifier set a: 1, add b: 2, remove c");
        assertThat(RequestExplainer.describe(new HttpFilter.RequestRedirect("https", "example.org",
                new PathModifier(PathModifier.Type.REPLACE_FULL_PATH, "/x"), 8443, 301)))
                .isEqualTo("RequestRedirect 301 scheme https hostname example.org port 8443 path ReplaceFullPath /x");
        assertThat(RequestExplainer.describe(new HttpFilter.RequestRedirect(null, null, null, null, 302)))
                .isEqualTo("RequestRedirect 302");
        assertThat(RequestExplainer.describe(new HttpFilter.UrlRewrite("in.example",
                new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, "/p"))))
                .isEqualTo("URLRewrite hostname in.example path ReplacePrefixMatch /p");
        assertThat(RequestExplainer.describe(new HttpFilter.UrlRewrite(null, null))).isEqualTo("URLRewrite");
    }

    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: default}
            spec:
              gatewayClassName: archway
              listeners:
              - {name: http, port: 80, protocol: HTTP, hostname: '*.example.com'}
              - {name: other, port: 8080, protocol: HTTP}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: empty, namespace: default}
            spec: {ports: [{port: 80}]}
            ---
            """;

    private static RequestExplanation.PortAnswer answer(String rule) {
        final SpecCase c = SpecCase.of(GATEWAY + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw, sectionName: http}]
                  rules:
                """ + rule.stripIndent().indent(2));
        final RequestExplanation e = new RequestExplainer(c.options()).explain(c.view(), new RequestExplainer.Query(
                "default/gw", 80, "a.example.com", null, "/", null));
        assertThat(e.request()).isEqualTo("GET a.example.com/");
        assertThat(e.answers()).hasSize(1);
        return e.answers().get(0);
    }

    @Test
    void weightsSplitTheTrafficAndTheMajorityDecidesTheStatus() {
        final RequestExplanation.PortAnswer mixed = answer("""
                - backendRefs: [{name: echo, port: 80, weight: 2}, {name: missing, port: 80, weight: 1},
                                {name: empty, port: 80, weight: 1}]
                """);
        assertThat(mixed.status()).isEqualTo(200);
        assertThat(mixed.outcome()).isEqualTo("proxied to Service default/echo:80 (50.0%); 25.0% answered 500"
                + " (invalid backend); 25.0% answered 503 (no ready endpoints)");
        assertThat(mixed.backends()).extracting(RequestExplanation.Backend::share)
                .containsExactly("50.0%", "25.0%", "25.0%");
        assertThat(mixed.route().route()).isEqualTo("HTTPRoute default/r");
        assertThat(mixed.route().rule()).isEqualTo("0");
        assertThat(mixed.listener()).isEqualTo("default/gw/http");
        assertThat(mixed.virtualHost()).isEqualTo("*.example.com");
        assertThat(mixed.gateways()).containsExactly("default/gw");

        final RequestExplanation.PortAnswer invalid = answer("""
                - backendRefs: [{name: echo, port: 80, weight: 1}, {name: missing, port: 80, weight: 2}]
                """);
        assertThat(invalid.status()).isEqualTo(500);
        assertThat(invalid.outcome()).isEqualTo("500: 66.7% of the traffic goes to invalid backends"
                + " (Service default/missing:80: BackendNotFound)");

        final RequestExplanation.PortAnswer empty = answer("""
                - backendRefs: [{name: empty, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}]
                """);
        assertThat(empty.status()).isEqualTo(503);
        assertThat(empty.outcome()).isEqualTo("503: 75.0% of the traffic goes to backends without ready endpoints");

        final RequestExplanation.PortAnswer tie = answer("""
                - backendRefs: [{name: echo, port: 80, weight: 1}, {name: missing, port: 80, weight: 1}]
                """);
        assertThat(tie.status()).as("an even split is proxied").isEqualTo(200);
    }

    /** HTTPRouteRule.backendRefs: no backends, or all weights 0, means every request is answered 500. */
    @Test
    void noBackendsOrZeroWeightsAnswer500() {
        final RequestExplanation.PortAnswer none = answer("- matches: [{path: {value: /}}]\n");
        assertThat(none.status()).isEqualTo(500);
        assertThat(none.outcome()).isEqualTo("500: the rule has no backendRefs");
        final RequestExplanation.PortAnswer zero = answer("- backendRefs: [{name: echo, port: 80, weight: 0}]\n");
        assertThat(zero.status()).isEqualTo(500);
        assertThat(zero.outcome()).isEqualTo("500: every backend weight is 0");
        assertThat(zero.backends().get(0).share()).isEqualTo("0.0%");
    }

    /** A RequestRedirect answers with its status code whatever the backends. */
    @Test
    void aRedirectAnswersWithItsStatusCode() {
        final RequestExplanation.PortAnswer redirect = answer("""
                - name: moved
                  filters: [{type: RequestRedirect, requestRedirect: {hostname: b.example.com, statusCode: 301}}]
                """);
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.outcome()).isEqualTo("301: redirect to http://b.example.com/ (the rule's RequestRedirect"
                + " 301 hostname b.example.com)");
        assertThat(redirect.decisions()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("REDIRECT");
            assertThat(d.location()).isEqualTo("http://b.example.com/");
            assertThat(d.backend()).isNull();
        });
        assertThat(redirect.filters()).containsExactly("RequestRedirect 301 hostname b.example.com");
        assertThat(redirect.route().rule()).isEqualTo("moved");
    }

    /**
     * A RequestRedirect on a backendRef (HTTPBackendRef.filters) answers the redirect for that
     * backend's share, as the data plane does: never "proxied to".
     */
    @Test
    void aBackendRefRedirectIsExplainedAsTheRedirect() {
        final RequestExplanation.PortAnswer only = answer("""
                - backendRefs:
                  - name: echo
                    port: 80
                    filters: [{type: RequestRedirect, requestRedirect: {hostname: b.example.com, port: 8443, scheme: https}}]
                """);
        assertThat(only.status()).isEqualTo(302);
        assertThat(only.outcome()).isEqualTo("302: redirect to https://b.example.com:8443/ (backendRef"
                + " Service default/echo:80's RequestRedirect 302 scheme https hostname b.example.com port 8443)");
        assertThat(only.decisions()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("REDIRECT");
            assertThat(d.status()).isEqualTo(302);
            assertThat(d.backend()).isEqualTo("Service default/echo:80");
            assertThat(d.location()).isEqualTo("https://b.example.com:8443/");
        });

        final RequestExplanation.PortAnswer half = answer("""
                - backendRefs:
                  - name: echo
                    port: 80
                    weight: 3
                  - name: echo
                    port: 80
                    weight: 1
                    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /moved}}}]
                """);
        assertThat(half.status()).isEqualTo(200);
        assertThat(half.outcome()).isEqualTo("proxied to Service default/echo:80 (75.0%); 25.0% redirected 302 to"
                + " http://a.example.com/moved (backendRef Service default/echo:80's RequestRedirect 302 path"
                + " ReplaceFullPath /moved)");
        assertThat(half.decisions()).extracting(RequestExplanation.Decision::kind, RequestExplanation.Decision::share)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PROXY", "75.0%"),
                        org.assertj.core.groups.Tuple.tuple("REDIRECT", "25.0%"));
    }

    /** HTTPCORSFilter: the gateway answers a preflight itself (204), before any redirect or backend. */
    @Test
    void aCorsPreflightIsAnsweredByTheGateway() {
        final SpecCase c = SpecCase.of(GATEWAY + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw, sectionName: http}]
                  rules:
                  - filters: [{type: CORS, cors: {allowOrigins: ['https://*.foo.com'], allowMethods: [GET]}},
                              {type: RequestRedirect, requestRedirect: {hostname: b.example.com}}]
                """);
        final RequestExplainer explainer = new RequestExplainer(c.options());
        final java.util.function.BiFunction<String, String, RequestExplanation.PortAnswer> ask = (method, origin) ->
                explainer.explain(c.view(), new RequestExplainer.Query("default/gw", 80, "a.example.com", method, "/",
                        Map.of("Origin", List.of(origin), "Access-Control-Request-Method", List.of("GET"))))
                        .answers().get(0);
        final RequestExplanation.PortAnswer allowed = ask.apply("OPTIONS", "https://x.foo.com");
        assertThat(allowed.status()).isEqualTo(204);
        assertThat(allowed.outcome()).isEqualTo("204: CORS preflight answered by the gateway");
        assertThat(allowed.decisions()).extracting(RequestExplanation.Decision::kind).containsExactly("CORS_PREFLIGHT");
        assertThat(allowed.filters()).first().isEqualTo("CORS allowOrigins [https://*.foo.com] allowMethods [GET] maxAge 5");
        final RequestExplanation.PortAnswer denied = ask.apply("OPTIONS", "https://foo.com");
        assertThat(denied.outcome()).isEqualTo("204: CORS preflight answered by the gateway, without CORS headers"
                + " (origin https://foo.com is not allowed)");
        assertThat(ask.apply("GET", "https://x.foo.com").status()).as("not a preflight").isEqualTo(302);
    }

    /** The query may name no Gateway and no port: every socket answers; a port that serves nothing answers nothing. */
    @Test
    void portAndGatewayNarrowTheSockets() {
        final SpecCase c = SpecCase.of(GATEWAY.substring(0, GATEWAY.lastIndexOf("---")));
        final RequestExplainer explainer = new RequestExplainer(c.options());
        final RequestExplanation all = explainer.explain(c.view(), new RequestExplainer.Query(null, null,
                "a.example.com", "get", "/", Map.of()));
        assertThat(all.request()).isEqualTo("GET a.example.com/");
        assertThat(all.answers()).extracting(RequestExplanation.PortAnswer::port).containsExactly(80, 8080);
        assertThat(all.answers().get(1).listeners()).singleElement().satisfies(l -> {
            assertThat(l.name()).isEqualTo("default/gw/other");
            assertThat(l.hostname()).isEqualTo("(any)");
        });
        assertThat(all.notFound()).isNull();
        final RequestExplanation none = explainer.explain(c.view(), new RequestExplainer.Query("default/gw", 9999,
                "a.example.com", null, "/", null));
        assertThat(none.answers()).isEmpty();
        assertThat(none.notFound()).isEqualTo("404: no socket serves Gateway default/gw on port 9999 (the Gateway does"
                + " not exist, is not ours, or has no programmed listener there)");
        assertThat(explainer.explain(c.view(), new RequestExplainer.Query(null, 9999, "a", null, "/", null))
                .notFound()).startsWith("404: no socket serves any Gateway on port 9999 ");
    }
}
