package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.StringMatchType;
import io.archway.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledPortTest {
    private static HttpRouteEntry entry(String name, HttpRequestMatch match) {
        return new HttpRouteEntry(new RouteOrigin("HTTPRoute", "ns", name, 0, null, 0), match, List.of(), List.of());
    }

    private static HttpRequestMatch prefix(String p) {
        return new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, p), null, List.of(), List.of());
    }

    private static ListenerEntry listener(String name, String hostname, VirtualHost... vhosts) {
        return new ListenerEntry(new ListenerOrigin("ns", "gw", name), hostname, List.of(), List.of(vhosts));
    }

    private static VirtualHost vhost(String hostname, HttpRouteEntry... entries) {
        return new VirtualHost(hostname, List.of(entries));
    }

    private static final PortBinding BINDING = new PortBinding("127.0.0.1", 80, new HttpPort(ListenerProtocol.HTTP, List.of(
            listener("wild", "*.example.com",
                    vhost("foo.example.com", entry("exact-vhost", prefix("/api"))),
                    vhost("*.example.com",
                            entry("header", new HttpRequestMatch(new PathMatch(PathMatch.Type.EXACT, "/h"), "GET",
                                    List.of(new HeaderMatch("X-Env", StringMatchType.REGULAR_EXPRESSION, "can.*")),
                                    List.of(new QueryParamMatch("v", StringMatchType.EXACT, "2")))),
                            entry("wild-vhost", prefix("/")))),
            listener("any", null, vhost("*", entry("any-listener", prefix("/")), entry("shadowed", prefix("/")))))));

    private final CompiledPort<HttpRouteEntry> port = CompiledPort.of(BINDING);

    private String route(String host, String method, String uri, Map<String, String> headers) {
        final HttpRouteEntry e = port.route(SimpleRequest.of(method, uri, host, headers));
        return e == null ? null : e.origin().name();
    }

    /**
     * A swap reuses what the previous dispatch compiled for a virtual host that is the same
     * instance (the entry factory is not called again for it) and compiles a changed one.
     */
    @Test
    void reusesCompiledVirtualHostsOfThePreviousDispatch() {
        final VirtualHost kept = vhost("kept.test", entry("kept", prefix("/")));
        final java.util.List<String> compiled = new java.util.ArrayList<>();
        final java.util.function.BiFunction<HttpRouteEntry, CompiledMatch, String> factory = (e, m) -> {
            compiled.add(e.origin().name());
            return e.origin().name();
        };
        final CompiledPort<String> before = new CompiledPort<>(binding(kept, vhost("edited.test", entry("old", prefix("/")))),
                factory);
        compiled.clear();
        final CompiledPort<String> after = new CompiledPort<>(binding(kept, vhost("edited.test", entry("new", prefix("/")))),
                factory, before);
        assertThat(compiled).containsExactly("new");
        assertThat(after.route(SimpleRequest.of("GET", "/", "kept.test", Map.of()))).isEqualTo("kept");
        assertThat(after.route(SimpleRequest.of("GET", "/", "edited.test", Map.of()))).isEqualTo("new");
        assertThat(before.route(SimpleRequest.of("GET", "/", "edited.test", Map.of()))).isEqualTo("old");
        // Another port (the decisions carry it, e.g. for redirects) compiles everything again.
        compiled.clear();
        new CompiledPort<>(new PortBinding("127.0.0.1", 81, new HttpPort(ListenerProtocol.HTTP,
                List.of(listener("l", null, kept)))), factory, after);
        assertThat(compiled).containsExactly("kept");
    }

    /**
     * A swap where a listener's hostnames moved (a host added before others, one dropped), or its
     * list is the previous one, still compiles only the new hosts and dispatches every host to its
     * own routes; a listener of another hostname compiles its own.
     */
    @Test
    void reusesCompiledVirtualHostsWhenHostnamesMoveOrTheListIsTheSame() {
        final java.util.List<String> compiled = new java.util.ArrayList<>();
        final java.util.function.BiFunction<HttpRouteEntry, CompiledMatch, String> factory = (e, m) -> {
            compiled.add(e.origin().name());
            return e.origin().name();
        };
        final VirtualHost b = vhost("b.test", entry("b", prefix("/")));
        final VirtualHost c = vhost("c.test", entry("c", prefix("/")));
        final VirtualHost d = vhost("d.test", entry("d", prefix("/")));
        final CompiledPort<String> first = new CompiledPort<>(binding(b, c, d), factory);
        compiled.clear();
        final CompiledPort<String> moved = new CompiledPort<>(binding(vhost("a.test", entry("a", prefix("/"))), b, d),
                factory, first);
        assertThat(compiled).containsExactly("a");
        for (String host : List.of("a", "b", "d")) {
            assertThat(moved.route(SimpleRequest.of("GET", "/", host + ".test", Map.of()))).isEqualTo(host);
        }
        assertThat(moved.route(SimpleRequest.of("GET", "/", "c.test", Map.of()))).isNull();
        compiled.clear();
        final PortBinding same = moved.binding();
        final CompiledPort<String> again = new CompiledPort<>(new PortBinding("127.0.0.1", 80,
                new HttpPort(ListenerProtocol.HTTP, List.of(new ListenerEntry(new ListenerOrigin("ns", "gw", "l"), null,
                        List.of(), ((HttpPort) same.kind()).listeners().get(0).virtualHosts())))), factory, moved);
        assertThat(compiled).isEmpty();
        assertThat(again.route(SimpleRequest.of("GET", "/", "b.test", Map.of()))).isEqualTo("b");
        final CompiledPort<String> renamed = new CompiledPort<>(new PortBinding("127.0.0.1", 80,
                new HttpPort(ListenerProtocol.HTTP, List.of(listener("l", "b.test", b)))), factory, again);
        assertThat(compiled).as("another listener's hosts, found by instance").isEmpty();
        assertThat(renamed.route(SimpleRequest.of("GET", "/", "b.test", Map.of()))).isEqualTo("b");
    }

    private static PortBinding binding(VirtualHost... vhosts) {
        return new PortBinding("127.0.0.1", 80, new HttpPort(ListenerProtocol.HTTP, List.of(listener("l", null, vhosts))));
    }

    @Test
    void dispatchesByListenerThenVirtualHostThenFirstEntry() {
        assertThat(route("other.test", "GET", "/", Map.of())).isEqualTo("any-listener");
        assertThat(route("X.Example.com:80", "GET", "/", Map.of())).isEqualTo("wild-vhost");
        assertThat(route("foo.example.com", "GET", "/api/x", Map.of())).isEqualTo("exact-vhost");
        assertThat(route("foo.example.com", "GET", "/", Map.of())).isNull(); // no fall-through
        assertThat(route("a.example.com", "GET", "/h?v=2", Map.of("x-env", "canary"))).isEqualTo("header");
        assertThat(route("a.example.com", "GET", "/h?v=2&v=3", Map.of("x-env", "canary"))).isEqualTo("header");
        assertThat(route("a.example.com", "GET", "/h?v=3&v=2", Map.of("x-env", "canary"))).isEqualTo("wild-vhost");
        assertThat(route("a.example.com", "POST", "/h?v=2", Map.of("x-env", "canary"))).isEqualTo("wild-vhost");
        assertThat(port.listenerIndex("a.example.com")).isEqualTo(0);
        assertThat(port.listenerIndex("example.com")).isEqualTo(1);
    }

    @Test
    void traceAgreesWithRouteAndSaysWhyCandidatesLost() {
        final SimpleRequest req = SimpleRequest.of("GET", "/h?v=1", "a.example.com", Map.of("X-ENV", "canary"));
        final DispatchTrace t = port.trace(req);
        assertThat(t.winner()).isSameAs(port.route(req));
        assertThat(t.listener().origin().listenerName()).isEqualTo("wild");
        assertThat(t.listeners().get(1).reason()).isEqualTo("less specific than *.example.com");
        assertThat(t.virtualHosts().get(0).reason()).isEqualTo("hostname foo.example.com does not match a.example.com");
        assertThat(t.virtualHost().hostname()).isEqualTo("*.example.com");
        assertThat(t.entries()).extracting(DispatchTrace.EntryCandidate::outcome)
                .containsExactly(DispatchTrace.Outcome.NO_MATCH, DispatchTrace.Outcome.WON);
        assertThat(t.entries().get(0).reason()).isEqualTo("query parameter v = 2: the request has v=1");

        final DispatchTrace shadow = port.trace(SimpleRequest.of("GET", "/", "example.com", Map.of()));
        assertThat(shadow.entries()).extracting(DispatchTrace.EntryCandidate::outcome)
                .containsExactly(DispatchTrace.Outcome.WON, DispatchTrace.Outcome.LOWER_PRECEDENCE);

        final DispatchTrace miss = port.trace(SimpleRequest.of("GET", "/", "foo.example.com", Map.of()));
        assertThat(miss.found()).isFalse();
        assertThat(miss.notFound()).contains("no route entry of virtual host foo.example.com");
        assertThat(miss.entries().get(0).reason()).isEqualTo("path / does not match PathPrefix /api");
        assertThat(miss.virtualHosts().get(1).reason()).isEqualTo("less specific than foo.example.com");
    }

    @Test
    void noListener() {
        final CompiledPort<HttpRouteEntry> only = CompiledPort.of(new PortBinding("0.0.0.0", 80, new HttpPort(ListenerProtocol.HTTP, List.of(listener("l", "foo.com", vhost("foo.com", entry("r", prefix("/"))))))));
        final DispatchTrace t = only.trace(SimpleRequest.of("GET", "/", "bar.com", Map.of()));
        assertThat(t.notFound()).isEqualTo("no listener hostname on port 80 matches host bar.com");
        assertThat(only.route(SimpleRequest.of("GET", "/", "bar.com", Map.of()))).isNull();
    }

    @Test
    void matchConditions() {
        final CompiledMatch m = new CompiledMatch(prefix("/foo/"));
        assertThat(m.matchesPath("/foo")).isTrue();
        assertThat(m.matchesPath("/foo/bar")).isTrue();
        assertThat(m.matchesPath("/foobar")).isFalse();
        assertThat(m.matchedPrefix()).isEqualTo("/foo");
        final CompiledMatch bad = new CompiledMatch(new HttpRequestMatch(
                new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, "(["), null, List.of(), List.of()));
        assertThat(bad.firstFailure(SimpleRequest.of("GET", "/([", "h", Map.of()))).isEqualTo(CompiledMatch.INVALID);
        final CompiledMatch joined = new CompiledMatch(new HttpRequestMatch(prefix("/").path(), null,
                List.of(new HeaderMatch("x-a", StringMatchType.EXACT, "1,2")), List.of()));
        assertThat(joined.matches(new SimpleRequest("GET", "/", "h", Map.of("X-A", List.of("1", "2"))))).isTrue();
    }
}
