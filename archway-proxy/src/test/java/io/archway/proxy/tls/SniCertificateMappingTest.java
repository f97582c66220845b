package io.archway.proxy.tls;

import static io.archway.proxy.testing.Snapshots.listener;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.TestCertificates;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.SocketKey;
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

    private static final SocketKey PORT = new SocketKey("0.0.0.0", 8443, io.archway.snapshot.Transport.TCP);

    private static LoadedCertificate context(ServerContexts contexts, String listener, CertificateBundle bundle) {
        return contexts.forListener(new ListenerOrigin("ns", "gw", listener), List.of(bundle)).get(0).certificate();
    }

    private static SniCertificateMapping forHttps(List<ListenerEntry> listeners, ServerContexts contexts) {
        return SniCertificateMapping.forHttps(PORT, new HttpPort(ListenerProtocol.HTTPS, listeners), contexts);
    }

    @Test
    void exactThenLongestWildcardThenSubjectAltNameThenTheCatchAllListenersDefault() {
        final ServerContexts contexts = ServerContexts.after(ServerContexts.none());
        final SniCertificateMapping m = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("deep", "*.deep.example.com", List.of(DEEP)),
                listener("wild", "*.example.com", List.of(BROKEN, WILD)),
                listener("any", null, List.of(ANY_A, ANY_B, SAN_WILD))), contexts);
        final LoadedCertificate exact = m.choose("foo.example.com");
        final LoadedCertificate wild = m.choose("bar.example.com");
        assertThat(exact).isSameAs(context(contexts, "exact", EXACT));
        assertThat(wild).isSameAs(context(contexts, "wild", WILD));
        assertThat(m.choose("FOO.example.com.")).isSameAs(exact);
        // A listener wildcard covers several labels; the longest suffix wins.
        assertThat(m.choose("a.b.example.com")).isSameAs(wild);
        assertThat(m.choose("x.deep.example.com")).isSameAs(context(contexts, "deep", DEEP));
        assertThat(m.choose("example.com")).as("*.example.com does not cover example.com")
                .isSameAs(context(contexts, "any", ANY_A));
        // subjectAltNames of a listener without hostname; a certificate wildcard covers one label.
        assertThat(m.choose("b.test")).isSameAs(context(contexts, "any", ANY_B));
        assertThat(m.choose("x.san.org")).isSameAs(context(contexts, "any", SAN_WILD));
        assertThat(m.choose("y.x.san.org")).isSameAs(context(contexts, "any", ANY_A));
        // Unknown and missing SNI get the catch-all listener's first certificate.
        assertThat(m.choose("unknown.org")).isSameAs(context(contexts, "any", ANY_A));
        assertThat(m.choose(null)).isSameAs(context(contexts, "any", ANY_A));
        assertThat(m.hasDefault()).isTrue();
        // One context for the port, whatever the name; its key manager resolves each choice's alias.
        assertThat(m.contextFor("foo.example.com")).isNotNull().isSameAs(m.contextFor("b.test"))
                .isSameAs(m.contextFor(null));
        assertThat(contexts.size()).isEqualTo(1);
        assertThat(m.byAlias(exact.alias())).isSameAs(exact);
    }

    @Test
    void withoutACatchAllListenerTheDefaultIsTheFirstListenersCertificate() {
        final ServerContexts contexts = ServerContexts.after(ServerContexts.none());
        final SniCertificateMapping m = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("wild", "*.example.com", List.of(WILD))), contexts);
        assertThat(m.choose(null)).isSameAs(m.choose("foo.example.com"));
        assertThat(m.choose("other.org")).isSameAs(m.choose("foo.example.com"));
    }

    @Test
    void reusesTheParsedCertificatesAndThePortsContextAcrossSnapshots() {
        final ServerContexts first = ServerContexts.after(ServerContexts.none());
        final List<ListenerEntry> listeners = List.of(listener("exact", "foo.example.com", List.of(EXACT)));
        final SniCertificateMapping before = forHttps(listeners, first);
        // Another certificate beside it: the port keeps its context (sessions survive), the
        // unchanged certificate is not parsed again.
        final SniCertificateMapping after = forHttps(List.of(listener("exact", "foo.example.com", List.of(EXACT)),
                listener("wild", "*.example.com", List.of(WILD))), ServerContexts.after(first));
        assertThat(after.choose("foo.example.com")).isSameAs(before.choose("foo.example.com"));
        assertThat(after.contextFor("foo.example.com")).isSameAs(before.contextFor("foo.example.com"));
        assertThat(after.choose("x.example.com")).isNotNull();
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
        assertThat(broken.choose("foo.example.com")).isSameAs(good.choose("foo.example.com"));
        assertThat(broken.choose("x.example.com")).isNotSameAs(good.choose("x.example.com"))
                .isSameAs(context(second, "wild", DEEP));
        // Still remembered one snapshot later, and a bundle that fails to load counts as none.
        final SniCertificateMapping third = forHttps(List.of(
                listener("exact", "foo.example.com", List.of(BROKEN))), ServerContexts.after(second));
        assertThat(third.choose("foo.example.com")).isSameAs(good.choose("foo.example.com"));
        // A listener never seen before has no last good certificate.
        final SniCertificateMapping fresh = forHttps(List.of(
                listener("new", "new.example.com", List.of()), listener("wild", "*.example.com", List.of(WILD))),
                ServerContexts.after(second));
        assertThat(fresh.choose("x.example.com")).isNotNull();
        // Its name gets no other listener's certificate: the handshake fails.
        assertThat(fresh.choose("new.example.com")).isNull();
    }
}
