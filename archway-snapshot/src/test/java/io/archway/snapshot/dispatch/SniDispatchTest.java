package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.L4Route;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.TlsPort.TlsListener;
import io.archway.snapshot.TlsPort.SniRoute;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SNI choice of a TLS passthrough socket: most specific listener, then its most specific route. */
class SniDispatchTest {
    private static SniRoute route(String hostname, String name) {
        return new SniRoute(hostname, new L4Route(new RouteOrigin("TLSRoute", "ns", name, 0, null, 0), List.of()));
    }

    private static TlsListener listener(String name, String hostname, SniRoute... routes) {
        return TlsListener.passthrough(new ListenerOrigin("ns", "gw", name), hostname, List.of(routes));
    }

    // Listeners deliberately not in precedence order: the choice does not depend on it.
    private final SniDispatch dispatch = new SniDispatch(new TlsPort(List.of(
            listener("any", null, route("*", "any")),
            listener("wild", "*.example.com", route("*.example.com", "wild"), route("foo.example.com", "foo")),
            listener("bar", "bar.example.com"))));

    private String pick(String sni) {
        final String name = SniDispatch.normalizeServerName(sni);
        final int l = name == null ? -1 : dispatch.listener(name);
        if (l < 0) {
            return "none";
        }
        final TlsListener chosen = dispatch.port().listeners().get(l);
        final int r = dispatch.route(l, name);
        return chosen.origin().listenerName() + "/" + (r < 0 ? "-" : chosen.routes().get(r).route().origin().name());
    }

    @Test
    void exactBeatsWildcardBeatsAnyWithoutFallThrough() {
        assertThat(pick("foo.example.com")).isEqualTo("wild/foo");
        assertThat(pick("x.y.example.com")).isEqualTo("wild/wild");
        assertThat(pick("FOO.Example.com.")).isEqualTo("wild/foo");
        assertThat(pick("example.com")).isEqualTo("any/any");
        // The exact listener wins although it has no route: no fall-through to a less specific one.
        assertThat(pick("bar.example.com")).isEqualTo("bar/-");
        assertThat(pick(null)).isEqualTo("none");
        assertThat(new SniDispatch(new TlsPort(List.of())).listener("a.com")).isEqualTo(-1);
    }

    @Test
    void onlyDnsHostnamesAreServerNames() {
        assertThat(SniDispatch.normalizeServerName("A.b-c_d.COM.")).isEqualTo("a.b-c_d.com");
        assertThat(SniDispatch.normalizeServerName("")).isNull();
        assertThat(SniDispatch.normalizeServerName(".")).isNull();
        assertThat(SniDispatch.normalizeServerName("*.example.com")).isNull();
        assertThat(SniDispatch.normalizeServerName("::1")).isNull();
        assertThat(SniDispatch.normalizeServerName("a".repeat(254))).isNull();
        assertThat(SniDispatch.normalizeServerName("a".repeat(253))).hasSize(253);
    }
}
