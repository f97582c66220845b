package io.archway.proxy.tls;

import static io.archway.proxy.testing.Snapshots.listener;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.TestCertificates;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.ListenerOrigin;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class SniCertificateMappingTest {
    private static final CertificateBundle EXACT = TestCertificates.selfSigned("foo.example.com", false);
    private static final CertificateBundle WILD = TestCertificates.selfSigned("*.example.com", true);
    private static final CertificateBundle DEEP = TestCertificates.selfSigned("*.deep.example.com", false);
    private static final CertificateBundle ANY_A = TestCertificates.selfSigned("a.test", false);
    private static final CertificateBundle ANY_B = TestCertificates.selfSigned("b.test", false);
    private static final CertificateBundle SAN_WILD = TestCertificates.selfSigned("*.san.org", false);
    private static final CertificateBundle BROKEN = new CertificateBundle("Secret ns/broken", "nope", "nope");

    private static SslContext context(ServerContexts contexts, String listener, CertificateBundle bundle) {
        return contexts.forListener(new ListenerOrigin("ns", "gw", listener), List.of(bundle),
                ServerContexts.Alpn.HTTP, null).get(0).context();
    }

    private static SniCertificateMapping forHttps(List<ListenerEntry> listeners, ServerContexts contexts) {
        return SniCertificateMapping.forHttps(new HttpPort(ListenerProtocol.HTTPS, listeners), contexts);
    }

    @Test
    void exactThenLongestWildcardThenSubjectAltNameThenTheCatchAllListenersDefault() {
        final ServerContexts contexts = ServerContexts.after(ServerContexts.none());
        final SniCertificateMapping m = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("deep", "*.deep.example.com", List.of(DEEP)),
                listener("wild", "*.example.com", List.of(BROKEN, WILD)),
                listener("any", null, List.of(ANY_A, ANY_B, SAN_WILD))), contexts);
        final SslContext exact = m.map("foo.example.com");
        final SslContext wild = m.map("bar.example.com");
        assertThat(exact).isSameAs(context(contexts, "exact", EXACT));
        assertThat(wild).isSameAs(context(contexts, "wild", WILD));
        assertThat(m.map("FOO.example.com.")).isSameAs(exact);
        // A listener wildcard covers several labels; the longest suffix wins.
        assertThat(m.map("a.b.example.com")).isSameAs(wild);
        assertThat(m.map("x.deep.example.com")).isSameAs(context(contexts, "deep", DEEP));
        assertThat(m.map("example.com")).as("*.example.com does not cover example.com")
                .isSameAs(context(contexts, "any", ANY_A));
        // subjectAltNames of a listener without hostname; a certificate wildcard covers one label.
        assertThat(m.map("b.test")).isSameAs(context(contexts, "any", ANY_B));
        assertThat(m.map("x.san.org")).isSameAs(context(contexts, "any", SAN_WILD));
        assertThat(m.map("y.x.san.org")).isSameAs(context(contexts, "any", ANY_A));
        // Unknown and missing SNI get the catch-all listener's first certificate.
        assertThat(m.map("unknown.org")).isSameAs(context(contexts, "any", ANY_A));
        assertThat(m.map(null)).isSameAs(context(contexts, "any", ANY_A));
        assertThat(m.hasDefault()).isTrue();
    }

    @Test
    void withoutACatchAllListenerTheDefaultIsTheFirstListenersCertificate() {
        final ServerContexts contexts = ServerContexts.after(ServerContexts.none());
        final SniCertificateMapping m = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("wild", "*.example.com", List.of(WILD))), contexts);
        assertThat(m.map(null)).isSameAs(m.map("foo.example.com"));
        assertThat(m.map("other.org")).isSameAs(m.map("foo.example.com"));
    }

    @Test
    void reusesContextsOfUnchangedCertificates() {
        final ServerContexts first = ServerContexts.after(ServerContexts.none());
        final List<ListenerEntry> listeners = List.of(listener("exact", "foo.example.com", List.of(EXACT)));
        final SslContext before = forHttps(listeners, first).map("foo.example.com");
        final SslContext after = forHttps(listeners, ServerContexts.after(first))
                .map("foo.example.com");
        assertThat(after).isSameAs(before);
    }

    @Test
    void aListenerWithoutAValidCertificateKeepsItsLastGoodOneAndOnlyThatListener() {
        final ServerContexts first = ServerContexts.after(ServerContexts.none());
        final SniCertificateMapping good = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("wild", "*.example.com", List.of(WILD))), first);
        final ServerContexts second = ServerContexts.after(first);
        // exact: its Secret broke (the translator leaves no certificate); wild: rotated to DEEP.
        final SniCertificateMapping broken = forHttps(List.of(
                listener("exact", "foo.example.com", List.of()),
                listener("wild", "*.example.com", List.of(DEEP))), second);
        assertThat(broken.map("foo.example.com")).isSameAs(good.map("foo.example.com"));
        assertThat(broken.map("x.example.com")).isNotSameAs(good.map("x.example.com"))
                .isSameAs(context(second, "wild", DEEP));
        // Still remembered one snapshot later, and a bundle that fails to load counts as none.
        final SniCertificateMapping third = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(BROKEN))), ServerContexts.after(second));
        assertThat(third.map("foo.example.com")).isSameAs(good.map("foo.example.com"));
        // A listener never seen before has no last good certificate.
        final SniCertificateMapping fresh = forHttps(List.of(
                listener("new", "new.example.com", List.of()), listener("wild", "*.example.com", List.of(WILD))),
                ServerContexts.after(second));
        assertThat(fresh.map("x.example.com")).isNotNull();
        // Its name gets no other listener's certificate: the handshake fails.
        assertThat(fresh.map("new.example.com")).isNull();
    }
}
