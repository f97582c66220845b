package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteDecisionTest {
    private static final HttpFilter.RequestHeaderModifier RULE_EDIT = new HttpFilter.RequestHeaderModifier(
            new HeaderEdits(List.of(new Header("x-rule", "1")), List.of(), List.of()));
    private static final HttpFilter.RequestHeaderModifier BACKEND_EDIT = new HttpFilter.RequestHeaderModifier(
            new HeaderEdits(List.of(new Header("x-backend", "1")), List.of(), List.of()));

    private static WeightedBackend backend(String name, int weight, boolean valid, int endpoints, HttpFilter... filters) {
        final List<Endpoint> eps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            eps.add(new Endpoint("10.0.0." + (i + 1), 3000));
        }
        return new WeightedBackend(new BackendOrigin("Service", "ns", name, 8080), weight, AppProtocol.HTTP1, eps,
                valid ? null : "BackendNotFound", List.of(filters));
    }

    private static HttpRouteEntry entry(String name, String prefix, List<HttpFilter> filters, WeightedBackend... backends) {
        return new HttpRouteEntry(new RouteOrigin("HTTPRoute", "ns", name, 0, null, 0),
                new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, prefix), null, List.of(), List.of()),
                filters, List.of(backends));
    }

    private static CompiledPort<HttpRouteEntry> port(ListenerProtocol protocol, int port, HttpRouteEntry... entries) {
        return CompiledPort.of(new PortBinding("127.0.0.1", port, new HttpPort(protocol, List.of(
                new ListenerEntry(new ListenerOrigin("ns", "gw", "foo"), "foo.example.com", List.of(),
                        List.of(new VirtualHost("foo.example.com", List.of(entries)))),
                new ListenerEntry(new ListenerOrigin("ns", "gw", "any"), null, List.of(),
                        List.of(new VirtualHost("*", List.of(entries))))))));
    }

    private static SimpleRequest get(String uri) {
        return SimpleRequest.of("GET", uri, "foo.example.com", Map.of());
    }

    private static RouteDecision<HttpRouteEntry> decide(CompiledPort<HttpRouteEntry> port, String uri) {
        return port.decide(get(uri), null, BackendChooser.RANDOM);
    }

    @Test
    void notFoundWhenNoEntryMatches() {
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80,
                entry("r", "/a", List.of(), backend("b", 1, true, 1)));
        assertThat(decide(p, "/b")).isInstanceOf(RouteDecision.NotFound.class);
        assertThat(decide(p, "/b").status()).isEqualTo(404);
    }

    @Test
    void ruleRedirectAnswersBeforeAnyBackend() {
        final HttpFilter.RequestRedirect redirect = new HttpFilter.RequestRedirect("https", null,
                new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, "/new"), null, 301);
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 8080,
                entry("r", "/old", List.of(redirect), backend("invalid", 1, false, 0)));
        final RouteDecision<HttpRouteEntry> d = decide(p, "/old/x?q=1");
        assertThat(d).isInstanceOf(RouteDecision.Redirect.class);
        final RouteDecision.Redirect<HttpRouteEntry> r = (RouteDecision.Redirect<HttpRouteEntry>) d;
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.backendIndex()).isEqualTo(-1);
        assertThat(r.location(get("/old/x?q=1"))).isEqualTo("https://foo.example.com/new/x?q=1");
    }

    /** HTTPCORSFilter: a preflight is the gateway's to answer, before the rule's redirect and any backend. */
    @Test
    void corsPreflightIsAnsweredBeforeRedirectsAndBackends() {
        final HttpFilter.Cors cors = new HttpFilter.Cors(List.of("https://a.com"), List.of("PUT"), List.of(),
                List.of(), false, 5);
        final HttpFilter.RequestRedirect redirect = new HttpFilter.RequestRedirect("https", null, null, null, 301);
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80,
                entry("cors", "/c", List.of(cors, redirect), backend("invalid", 1, false, 0)),
                entry("plain", "/", List.of(), backend("b", 1, true, 1)));
        final SimpleRequest preflight = SimpleRequest.of("OPTIONS", "/c", "foo.example.com",
                Map.of("Origin", "https://a.com", "Access-Control-Request-Method", "PUT"));
        final RouteDecision<HttpRouteEntry> d = p.decide(preflight, null, BackendChooser.RANDOM);
        assertThat(d.kind()).isEqualTo(RouteDecision.Kind.CORS_PREFLIGHT);
        assertThat(d.status()).isEqualTo(204);
        final RouteDecision.CorsPreflight<HttpRouteEntry> c = (RouteDecision.CorsPreflight<HttpRouteEntry>) d;
        assertThat(c.backendIndex()).isEqualTo(-1);
        assertThat(c.backend()).isNull();
        assertThat(c.headers(preflight)).contains(new Header("access-control-allow-origin", "https://a.com"),
                new Header("access-control-allow-methods", "PUT"));
        assertThat(p.alternatives(preflight, null)).extracting(a -> a.decision().kind())
                .containsExactly(RouteDecision.Kind.CORS_PREFLIGHT);
        // The same request to a rule without CORS, and an actual request to the CORS rule, are not preflights.
        final SimpleRequest elsewhere = SimpleRequest.of("OPTIONS", "/x", "foo.example.com",
                Map.of("Origin", "https://a.com", "Access-Control-Request-Method", "PUT"));
        assertThat(p.decide(elsewhere, null, BackendChooser.RANDOM).kind()).isEqualTo(RouteDecision.Kind.PROXY);
        assertThat(p.decide(SimpleRequest.of("PUT", "/c", "foo.example.com", Map.of("Origin", "https://a.com")),
                null, BackendChooser.RANDOM).kind()).isEqualTo(RouteDecision.Kind.REDIRECT);
    }

    @Test
    void backendRefRedirectIsTheDecisionForThatBackend() {
        final HttpFilter.RequestRedirect redirect = new HttpFilter.RequestRedirect(null, "bar.example.com", null, null, 0);
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 8080,
                entry("r", "/", List.of(), backend("b", 1, true, 1, redirect)));
        final RouteDecision<HttpRouteEntry> d = decide(p, "/x");
        assertThat(d.kind()).isEqualTo(RouteDecision.Kind.REDIRECT);
        final RouteDecision.Redirect<HttpRouteEntry> r = (RouteDecision.Redirect<HttpRouteEntry>) d;
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.backendIndex()).isZero();
        assertThat(r.backend().origin().name()).isEqualTo("b");
        assertThat(r.location(get("/x"))).isEqualTo("http://bar.example.com:8080/x");
    }

    @Test
    void noBackendsOrZeroWeightsAnswer500() {
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80,
                entry("none", "/none", List.of()),
                entry("zero", "/zero", List.of(), backend("b", 0, true, 1), backend("c", 0, true, 1)));
        final RouteDecision<HttpRouteEntry> none = decide(p, "/none");
        assertThat(none).isEqualTo(new RouteDecision.NoBackend<>(none instanceof RouteDecision.Routed<HttpRouteEntry> r
                ? r.route() : null, ((RouteDecision.Routed<HttpRouteEntry>) none).entry(),
                RouteDecision.NoBackendReason.NO_BACKEND_REFS));
        assertThat(none.status()).isEqualTo(500);
        final RouteDecision<HttpRouteEntry> zero = decide(p, "/zero");
        assertThat(((RouteDecision.NoBackend<HttpRouteEntry>) zero).reason())
                .isEqualTo(RouteDecision.NoBackendReason.ALL_WEIGHTS_ZERO);
    }

    @Test
    void invalidThenRedirectThenNoEndpointsThenProxy() {
        final HttpFilter.RequestRedirect redirect = new HttpFilter.RequestRedirect("https", null, null, null, 302);
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80, entry("r", "/", List.of(RULE_EDIT),
                backend("invalid-with-redirect", 1, false, 1, redirect),
                backend("empty-with-redirect", 1, true, 0, redirect),
                backend("empty", 1, true, 0),
                backend("ok", 1, true, 2, BACKEND_EDIT),
                backend("zero", 0, true, 1)));
        final List<RouteDecision.Kind> kinds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            kinds.add(p.decide(get("/"), null, BackendChooser.only(i)).kind());
        }
        assertThat(kinds).containsExactly(RouteDecision.Kind.INVALID_BACKEND, RouteDecision.Kind.REDIRECT,
                RouteDecision.Kind.NO_ENDPOINTS, RouteDecision.Kind.PROXY);
        final RouteDecision.Proxy<HttpRouteEntry> proxy =
                (RouteDecision.Proxy<HttpRouteEntry>) p.decide(get("/"), null, BackendChooser.only(3));
        assertThat(proxy.backend().origin().name()).isEqualTo("ok");
        assertThat(proxy.filters()).containsExactly(RULE_EDIT, BACKEND_EDIT);
        assertThat(proxy.status()).isEqualTo(200);
    }

    @Test
    void alternativesListEveryBackendOfWeightAboveZeroWithItsShare() {
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80, entry("r", "/", List.of(),
                backend("a", 3, true, 1), backend("zero", 0, true, 1), backend("b", 1, false, 0)));
        final List<DecisionAlternative<HttpRouteEntry>> alts = p.alternatives(get("/"), null);
        assertThat(alts).extracting(a -> a.decision().kind())
                .containsExactly(RouteDecision.Kind.PROXY, RouteDecision.Kind.INVALID_BACKEND);
        assertThat(alts).extracting(DecisionAlternative::percent).containsExactly(75.0, 25.0);
        final CompiledPort<HttpRouteEntry> none = port(ListenerProtocol.HTTP, 80, entry("r", "/a", List.of()));
        assertThat(none.alternatives(get("/a"), null)).extracting(a -> a.decision().kind(), DecisionAlternative::percent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RouteDecision.Kind.NO_BACKEND, 100.0));
        assertThat(none.alternatives(get("/b"), null)).extracting(a -> a.decision().kind())
                .containsExactly(RouteDecision.Kind.NOT_FOUND);
    }

    @Test
    void randomPickNeverChoosesWeightZeroAndReachesEveryOther() {
        final CompiledPort<HttpRouteEntry> p = port(ListenerProtocol.HTTP, 80, entry("r", "/", List.of(),
                backend("zero", 0, true, 1), backend("a", 1, true, 1), backend("b", 1, true, 1)));
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(((RouteDecision.Routed<HttpRouteEntry>) decide(p, "/")).backend().origin().name());
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void misdirectedOnlyOnHttpsWithAnSniSelectingAnotherListener() {
        final HttpRouteEntry e = entry("r", "/", List.of(), backend("b", 1, true, 1));
        final CompiledPort<HttpRouteEntry> https = port(ListenerProtocol.HTTPS, 443, e);
        final SimpleRequest other = SimpleRequest.of("GET", "/", "other.example.com", Map.of());
        assertThat(https.decide(other, "foo.example.com", BackendChooser.RANDOM).status()).isEqualTo(421);
        assertThat(https.decide(other, null, BackendChooser.RANDOM).kind()).isEqualTo(RouteDecision.Kind.PROXY);
        assertThat(https.decide(get("/"), "FOO.example.com.", BackendChooser.RANDOM).kind())
                .isEqualTo(RouteDecision.Kind.PROXY);
        final CompiledPort<HttpRouteEntry> http = port(ListenerProtocol.HTTP, 80, e);
        assertThat(http.decide(other, "foo.example.com", BackendChooser.RANDOM).kind())
                .isEqualTo(RouteDecision.Kind.PROXY);
    }

    @Test
    void weightsAreCumulative() {
        final BackendWeights w = new BackendWeights(List.of(backend("a", 2, true, 1), backend("z", 0, true, 1),
                backend("b", 1, true, 1)));
        assertThat(w.total()).isEqualTo(3);
        assertThat(w.at(0)).isZero();
        assertThat(w.at(1)).isZero();
        assertThat(w.at(2)).isEqualTo(2);
        assertThat(w.weight(1)).isZero();
    }
}
