package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Hostnames;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which listener, virtual host and entry serve a request: hostname precedence (Gateway
 * Listener.hostname, HTTPRouteSpec.hostnames), first match in the translator's precedence order
 * (HTTPRouteRule.matches), and how {@link CompiledPort#trace} tells it.
 */
class DispatchPrecedenceTest {
    private static HttpRouteEntry entry(String name, PathMatch.Type type, String path) {
        return new HttpRouteEntry(new RouteOrigin("HTTPRoute", "ns", name, 0, null, 0),
                new HttpRequestMatch(new PathMatch(type, path), null, List.of(), List.of()), List.of(), List.of());
    }

    private static HttpRouteEntry any(String name) {
        return entry(name, PathMatch.Type.PATH_PREFIX, "/");
    }

    private static ListenerEntry listener(String name, String hostname, VirtualHost... vhosts) {
        return new ListenerEntry(new ListenerOrigin("ns", "gw", name), hostname, List.of(), List.of(vhosts));
    }

    private static VirtualHost vhost(String hostname, HttpRouteEntry... entries) {
        return new VirtualHost(hostname, List.of(entries));
    }

    private static PortBinding port(ListenerEntry... listeners) {
        return new PortBinding("0.0.0.0", 8080, new HttpPort(ListenerProtocol.HTTP, List.of(listeners)));
    }

    private static String route(CompiledPort<HttpRouteEntry> port, String host, String path) {
        final HttpRouteEntry e = port.route(SimpleRequest.of("GET", path, host, Map.of()));
        return e == null ? null : e.origin().name();
    }

    /**
     * Gateway Listener.hostname: exact before wildcard, the wildcard with more labels right of the
     * "*" before the shorter one, and a listener without hostname last, whatever the snapshot order.
     */
    @Test
    void listenerPrecedenceIsExactThenLongestWildcardThenNoHostname() {
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(port(
                listener("any", null, vhost("*", any("r-any"))),
                listener("wild", "*.example.com", vhost("*.example.com", any("r-wild"))),
                listener("wild-foo", "*.foo.example.com", vhost("*.foo.example.com", any("r-wild-foo"))),
                listener("exact", "a.foo.example.com", vhost("a.foo.example.com", any("r-exact")))));
        assertThat(route(port, "a.foo.example.com", "/")).isEqualTo("r-exact");
        assertThat(route(port, "b.foo.example.com", "/")).isEqualTo("r-wild-foo");
        assertThat(route(port, "x.y.foo.example.com", "/")).as("* spans labels").isEqualTo("r-wild-foo");
        assertThat(route(port, "foo.example.com", "/")).isEqualTo("r-wild");
        assertThat(route(port, "example.com", "/")).as("*.example.com needs a label").isEqualTo("r-any");
        assertThat(route(port, "other.test", "/")).isEqualTo("r-any");
        assertThat(port.listenerIndex("a.foo.example.com")).isEqualTo(3);
        assertThat(port.listenerIndex("b.foo.example.com")).isEqualTo(2);
    }

    /** HTTPRouteSpec.hostnames: the route hostname with the most characters in a matching exact, then wildcard, name wins. */
    @Test
    void virtualHostPrecedenceIsExactThenLongestWildcardThenAny() {
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(port(listener("l", null,
                vhost("*", any("r-any")),
                vhost("*.example.com", any("r-wild")),
                vhost("*.foo.example.com", any("r-wild-foo")),
                vhost("a.foo.example.com", any("r-exact")))));
        assertThat(route(port, "a.foo.example.com", "/")).isEqualTo("r-exact");
        assertThat(route(port, "b.foo.example.com", "/")).isEqualTo("r-wild-foo");
        assertThat(route(port, "foo.example.com", "/")).isEqualTo("r-wild");
        assertThat(route(port, "other.test", "/")).isEqualTo("r-any");
    }

    /** Equally specific hostnames (two Gateways' listeners without hostname on one port): the first in snapshot order. */
    @Test
    void equallySpecificHostnamesGoToTheFirstInSnapshotOrder() {
        final PortBinding binding = port(listener("first", null, vhost("*", any("r-first"))),
                listener("second", null, vhost("*", any("r-second"))));
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(binding);
        assertThat(route(port, "h.test", "/")).isEqualTo("r-first");
        assertThat(port.listenerIndex("h.test")).isZero();

        final DispatchTrace t = port.trace(SimpleRequest.of("GET", "/", "h.test", Map.of()));
        assertThat(t.listeners()).extracting(DispatchTrace.HostCandidate::selected).containsExactly(true, false);
        assertThat(t.listeners()).extracting(DispatchTrace.HostCandidate::matches).containsExactly(true, true);
        assertThat(t.listeners().get(0).reason()).isEqualTo("most specific listener hostname matching h.test");
        assertThat(t.listeners().get(1).reason()).isEqualTo("as specific as (any), which comes first");
        assertThat(t.listeners()).extracting(DispatchTrace.HostCandidate::value)
                .containsExactly(((HttpPort) binding.kind()).listeners().get(0), ((HttpPort) binding.kind()).listeners().get(1));

        final CompiledPort<HttpRouteEntry> vhosts = CompiledPort.of(port(listener("l", "*.test",
                vhost("*.test", any("r-a")), vhost("*.test", any("r-b")))));
        assertThat(route(vhosts, "h.test", "/")).isEqualTo("r-a");
        assertThat(vhosts.trace(SimpleRequest.of("GET", "/", "h.test", Map.of())).virtualHosts().get(1).reason())
                .isEqualTo("as specific as *.test, which comes first");
    }

    /**
     * The translator sorts entries by HTTPRouteRule precedence (Exact path, longest prefix, method,
     * most headers, most query params, oldest route, namespace/name, rule order); dispatch takes the
     * first entry that matches, in that order, and never re-sorts.
     */
    @Test
    void theFirstMatchingEntryInPrecedenceOrderWins() {
        final HttpRouteEntry exact = entry("exact", PathMatch.Type.EXACT, "/a/b");
        final HttpRouteEntry longPrefix = entry("long", PathMatch.Type.PATH_PREFIX, "/a/b");
        final HttpRouteEntry shortPrefix = entry("short", PathMatch.Type.PATH_PREFIX, "/a");
        final CompiledPort<HttpRouteEntry> sorted = CompiledPort.of(port(listener("l", null,
                vhost("*", exact, longPrefix, shortPrefix))));
        assertThat(route(sorted, "h", "/a/b")).isEqualTo("exact");
        assertThat(route(sorted, "h", "/a/b/c")).isEqualTo("long");
        assertThat(route(sorted, "h", "/a/c")).isEqualTo("short");
        assertThat(route(sorted, "h", "/b")).isNull();

        final CompiledPort<HttpRouteEntry> asGiven = CompiledPort.of(port(listener("l", null,
                vhost("*", shortPrefix, exact))));
        assertThat(route(asGiven, "h", "/a/b")).as("order is the translator's job").isEqualTo("short");
    }

    @Test
    void traceOfAWinnerInFirstPosition() {
        final HttpRouteEntry first = any("first");
        final PortBinding binding = port(listener("l", "h.test", vhost("h.test", first, any("second"))));
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(binding);
        assertThat(port.binding()).isSameAs(binding);
        final DispatchTrace t = port.trace(SimpleRequest.of("GET", "/", "H.test:8080", Map.of()));
        assertThat(t.host()).isEqualTo("h.test");
        assertThat(t.found()).isTrue();
        assertThat(t.winner()).isSameAs(first);
        assertThat(t.notFound()).isNull();
        assertThat(t.entries()).extracting(DispatchTrace.EntryCandidate::position).containsExactly(0, 1);
        assertThat(t.entries()).extracting(DispatchTrace.EntryCandidate::failure)
                .containsOnly(CompiledMatch.MATCH);
        assertThat(t.entries().get(0).reason()).isEqualTo("first matching entry in precedence order");
        assertThat(t.entries().get(1).reason())
                .isEqualTo("matches too, but HTTPRoute ns/first rule 0 match 0 comes first in precedence order");
        assertThat(t.virtualHosts()).singleElement().satisfies(c -> {
            assertThat(c.value()).isSameAs(((HttpPort) binding.kind()).listeners().get(0).virtualHosts().get(0));
            assertThat(c.hostname()).isEqualTo("h.test");
            assertThat(c.specificity()).isEqualTo(Hostnames.specificity("h.test"));
            assertThat(c.selected()).isTrue();
            assertThat(c.reason()).isEqualTo("most specific virtual host hostname matching h.test");
        });
    }

    @Test
    void aListenerWithoutAttachedRoutesAnswers404() {
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(port(listener("empty", "h.test")));
        final SimpleRequest req = SimpleRequest.of("GET", "/", "h.test", Map.of());
        assertThat(port.route(req)).isNull();
        final DispatchTrace t = port.trace(req);
        assertThat(t.found()).isFalse();
        assertThat(t.listener().origin().listenerName()).isEqualTo("empty");
        assertThat(t.virtualHosts()).isEmpty();
        assertThat(t.virtualHost()).isNull();
        assertThat(t.entries()).isEmpty();
        assertThat(t.notFound()).isEqualTo("listener ns/gw/empty has no attached routes");
    }

    @Test
    void aListenerWhoseRouteHostnamesDoNotMatchAnswers404() {
        final CompiledPort<HttpRouteEntry> port = CompiledPort.of(port(listener("wild", "*.test",
                vhost("a.test", any("a")), vhost("b.test", any("b")))));
        final SimpleRequest req = SimpleRequest.of("GET", "/", "c.test", Map.of());
        assertThat(port.route(req)).isNull();
        final DispatchTrace t = port.trace(req);
        assertThat(t.virtualHost()).isNull();
        assertThat(t.winner()).isNull();
        assertThat(t.virtualHosts()).extracting(DispatchTrace.HostCandidate::reason).containsExactly(
                "hostname a.test does not match c.test", "hostname b.test does not match c.test");
        assertThat(t.virtualHosts()).extracting(DispatchTrace.HostCandidate::selected).containsOnly(false);
        assertThat(t.notFound()).isEqualTo("no route hostname on listener ns/gw/wild matches host c.test");
    }

    @Test
    void theEntryFactoryCompilesEachEntryOnceWithItsMatch() {
        final CompiledPort<String> port = new CompiledPort<>(port(listener("l", null,
                vhost("*", entry("p", PathMatch.Type.PATH_PREFIX, "/api/"), any("root")))),
                (e, m) -> e.origin().name() + " " + m.matchedPrefix());
        assertThat(port.route(SimpleRequest.of("GET", "/api/x", "h", Map.of()))).isEqualTo("p /api");
        assertThat(port.route(SimpleRequest.of("GET", "/x", "h", Map.of()))).isEqualTo("root ");
        assertThat(port.listenerIndex("h")).isZero();
        assertThat(CompiledPort.of(port(listener("l", "a.test"))).listenerIndex("b.test")).isEqualTo(-1);
    }
}
