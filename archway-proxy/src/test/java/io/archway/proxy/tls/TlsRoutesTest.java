package io.archway.proxy.tls;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.snapshot.PortBinding;
import org.junit.jupiter.api.Test;

class TlsRoutesTest {
    private static TlsRoutes compile(PortBinding binding) {
        return new TlsRoutes(binding, ServerContexts.none());
    }

    /** Listeners and routes in the reverse of their precedence: the order must not matter. */
    private final TlsRoutes routes = compile(tls(443,
            passthrough("any", null, sni("*", "any", backend("d", 1, 1))),
            passthrough("short", "*.com", sni("*.com", "short", backend("s", 1, 1))),
            passthrough("wild", "*.example.com",
                    sni("*.example.com", "wild", backend("b", 1, 1)),
                    sni("*.deep.example.com", "deep", backend("e", 1, 1)),
                    sni("foo.example.com", "foo", backend("a", 1, 1))),
            passthrough("bar", "bar.example.com", sni("bar.example.com", "bar", backend("c", 1, 1))),
            passthrough("only", "*.test.io", sni("only.test.io", "only", backend("o", 1, 1)))));

    private String route(String serverName) {
        final TlsRoutes.Target t = routes.route(TlsRoutes.normalizeServerName(serverName));
        return t == null ? null : t.targets().origin().name();
    }

    @Test
    void exactBeatsWildcardBeatsAnyForListenersAndRoutes() {
        assertThat(route("foo.example.com")).isEqualTo("foo");
        assertThat(route("x.example.com")).isEqualTo("wild");
        assertThat(route("x.deep.example.com")).isEqualTo("deep"); // the longer wildcard
        assertThat(route("bar.example.com")).isEqualTo("bar");
        assertThat(route("example.com")).isEqualTo("short"); // *.example.com does not match example.com
        assertThat(route("x.org")).isEqualTo("any");
    }

    @Test
    void caseAndTrailingDotDoNotMatter() {
        assertThat(route("FOO.Example.COM")).isEqualTo("foo");
        assertThat(route("foo.example.com.")).isEqualTo("foo");
    }

    @Test
    void noFallThroughToALessSpecificListener() {
        assertThat(route("only.test.io")).isEqualTo("only");
        // *.test.io is the most specific listener; its only route does not serve this name.
        assertThat(route("other.test.io")).isNull();
    }

    @Test
    void withoutAnyListenerUnknownNamesHaveNoRoute() {
        final TlsRoutes exact = compile(tls(443,
                passthrough("a", "a.example.com", sni("a.example.com", "a", backend("a", 1, 1)))));
        assertThat(exact.route("a.example.com")).isNotNull();
        assertThat(exact.route("b.example.com")).isNull();
        assertThat(compile(tls(443)).route("a.example.com")).isNull();
    }

    @Test
    void routesOfOneTlsRouteShareTheirTargets() {
        final TlsRoutes shared = compile(tls(443,
                passthrough("a", null, sni("x.example.com", "r", backend("a", 1, 1)))));
        assertThat(shared.route("x.example.com")).isSameAs(shared.route("x.example.com"));
    }

    @Test
    void serverNamesThatAreNoHostnamesAreRefused() {
        assertThat(TlsRoutes.normalizeServerName(null)).isNull();
        assertThat(TlsRoutes.normalizeServerName("")).isNull();
        assertThat(TlsRoutes.normalizeServerName(".")).isNull();
        assertThat(TlsRoutes.normalizeServerName("*.example.com")).isNull();
        assertThat(TlsRoutes.normalizeServerName("a b.com")).isNull();
        assertThat(TlsRoutes.normalizeServerName("::1")).isNull();
        assertThat(TlsRoutes.normalizeServerName("a".repeat(254))).isNull();
        assertThat(TlsRoutes.normalizeServerName("Host-1_x.Example.com")).isEqualTo("host-1_x.example.com");
    }

    @Test
    void onlyTlsSockets() {
        assertThatThrownBy(() -> compile(tcp(1, null))).isInstanceOf(IllegalArgumentException.class);
    }
}
