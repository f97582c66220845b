package io.archway.proxy.tls;

import static io.archway.proxy.testing.Snapshots.listener;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.TestCertificates;
import io.archway.snapshot.CertificateBundle;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SniCertificateMappingTest {
    private static final CertificateBundle EXACT = TestCertificates.selfSigned("foo.example.com", false);
    private static final CertificateBundle WILD = TestCertificates.selfSigned("*.example.com", true);
    private static final CertificateBundle ANY_A = TestCertificates.selfSigned("a.test", false);
    private static final CertificateBundle ANY_B = TestCertificates.selfSigned("b.test", false);
    private static final CertificateBundle BROKEN = new CertificateBundle("Secret ns/broken", "nope", "nope");

    @Test
    void exactThenWildcardThenSubjectAltNameThenDefault() {
        final SniCertificateMapping m = SniCertificateMapping.build(List.of(
                listener("exact", "foo.example.com", List.of(EXACT)),
                listener("wild", "*.example.com", List.of(BROKEN, WILD)),
                listener("any", null, List.of(ANY_A, ANY_B))), new HashMap<>(), Map.of());
        final SslContext exact = m.map("foo.example.com");
        final SslContext wild = m.map("bar.example.com");
        assertThat(exact).isNotNull().isNotSameAs(wild);
        assertThat(m.map("FOO.example.com.")).isSameAs(exact);
        assertThat(m.contexts()).containsOnlyKeys(EXACT, WILD, ANY_A, ANY_B);
        assertThat(wild).isSameAs(m.contexts().get(WILD));
        assertThat(m.map("b.test")).isSameAs(m.contexts().get(ANY_B));
        assertThat(m.map("a.test")).isSameAs(m.contexts().get(ANY_A));
        // Unknown and missing SNI get the first listener's certificate.
        assertThat(m.map("unknown.org")).isSameAs(exact);
        assertThat(m.map(null)).isSameAs(exact);
        assertThat(m.hasDefault()).isTrue();
    }

    @Test
    void reusesContextsOfUnchangedCertificates() {
        final SniCertificateMapping first = SniCertificateMapping.build(List.of(
                listener("exact", "foo.example.com", List.of(EXACT))), new HashMap<>(), Map.of());
        final SniCertificateMapping second = SniCertificateMapping.build(List.of(
                listener("exact", "foo.example.com", List.of(EXACT))), new HashMap<>(), first.contexts());
        assertThat(second.map("foo.example.com")).isSameAs(first.map("foo.example.com"));
    }
}
