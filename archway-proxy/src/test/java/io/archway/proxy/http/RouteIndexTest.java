package io.archway.proxy.http;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.dispatch.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

class RouteIndexTest {
    private final RouteIndex index = new RouteIndex(http(80,
            listener(null, vhost("*", prefix("any-listener", "/", backend("x", 1)))),
            listener("*.example.com",
                    vhost("*.example.com", prefix("wild-vhost", "/", backend("x", 1))),
                    vhost("foo.example.com", prefix("exact-vhost", "/api", backend("x", 1)))),
            listener("*.b.example.com", vhost("*", prefix("longer-wildcard", "/", backend("x", 1))))), null);

    private String route(String host, String path) {
        final CompiledRoute r = route(index, new RequestView("GET", path, host, new DefaultHttpHeaders()));
        return r == null ? null : r.entry().origin().name();
    }

    private static CompiledRoute route(RouteIndex index, RequestView view) {
        return index.decide(view, null) instanceof RouteDecision.Routed<CompiledRoute> r ? r.route() : null;
    }

    @Test
    void mostSpecificListenerThenMostSpecificVirtualHostWithoutFallThrough() {
        assertThat(route("other.test", "/")).isEqualTo("any-listener");
        assertThat(route("x.example.com", "/")).isEqualTo("wild-vhost");
        assertThat(route("foo.example.com", "/api/v1")).isEqualTo("exact-vhost");
        // foo.example.com's most specific virtual host has no "/" route: 404, no fall-through
        // to *.example.com or to the catch-all listener.
        assertThat(route("foo.example.com", "/")).isNull();
        assertThat(route("a.b.example.com", "/")).isEqualTo("longer-wildcard");
        // A wildcard does not match the bare suffix.
        assertThat(route("example.com", "/")).isEqualTo("any-listener");
    }

    @Test
    void firstMatchingEntryWinsInSnapshotOrder() {
        final RouteIndex ordered = new RouteIndex(http(80, listener(null, vhost("*",
                prefix("first", "/a", backend("x", 1)), prefix("second", "/", backend("x", 1))))), null);
        assertThat(route(ordered, new RequestView("GET", "/a/b", "h", new DefaultHttpHeaders())).entry().origin().name())
                .isEqualTo("first");
        assertThat(route(ordered, new RequestView("GET", "/ab", "h", new DefaultHttpHeaders())).entry().origin().name())
                .isEqualTo("second");
    }

    @Test
    void explainTraceOfTheSameDispatcherAgreesWithRoute() {
        for (String[] hp : new String[][] {{"foo.example.com", "/"}, {"foo.example.com", "/api"}, {"x.example.com", "/"},
                {"a.b.example.com", "/"}, {"other.test", "/"}}) {
            final RequestView v = new RequestView("GET", hp[1], hp[0], new DefaultHttpHeaders());
            final CompiledRoute r = route(index, v);
            assertThat(index.dispatcher().trace(v).winner()).as(hp[0] + hp[1])
                    .isEqualTo(r == null ? null : r.entry());
        }
        assertThat(index.dispatcher().trace(new RequestView("GET", "/", "foo.example.com", new DefaultHttpHeaders()))
                .notFound()).startsWith("no route entry of virtual host foo.example.com");
    }
}
