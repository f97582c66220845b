package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.HttpsBackend;
import io.archway.proxy.testing.LeakCheck;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.Snapshots;
import io.archway.proxy.testing.TestCa;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.BackendTls;
import io.archway.snapshot.BackendTls.SubjectAltName;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.WeightedBackend;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backends a BackendTLSPolicy targets are spoken to over TLS, over real loopback sockets: the
 * policy's hostname is the SNI, the chain is verified against its CA and the identity against its
 * hostname or SANs; a backend that fails verification gets nothing (502), and the Gateway's client
 * certificate is presented to a backend that requires one.
 */
class DataPlaneBackendTlsTest {
    private static final TestCa CA = new TestCa("backend-ca");
    private static final TestCa OTHER_CA = new TestCa("unrelated-ca");
    private static final CertificateBundle SERVER = CA.issue("abc.example.com",
            List.of("abc.example.com", "other.example.com"), List.of("spiffe://abc.example.com/test-identity"), false);
    private static LeakCheck leaks;

    @BeforeAll
    static void watchLeaks() {
        leaks = new LeakCheck();
    }

    @AfterAll
    static void noLeaks() {
        leaks.close();
    }

    /** One event loop: one upstream pool, so pooling is observable. */
    private static ProxyConfig oneEventLoop() {
        final ProxyConfig d = ProxyConfig.defaults();
        return new ProxyConfig(0, 1, d.maxInitialLineLength(), d.maxHeaderSize(), d.connectTimeout(), d.idleTimeout(),
                d.drainTimeout());
    }

    private static BackendTls policy(String hostname, String caPem, List<SubjectAltName> sans) {
        return new BackendTls("ns/policy", hostname, caPem, false, sans, null, null);
    }

    private static WeightedBackend backend(HttpsBackend b, BackendTls tls) {
        return new WeightedBackend(new BackendOrigin("Service", "ns", "tls-backend", 443), 1, AppProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", b.port())), null, List.of(), tls);
    }

    private static RawHttp.Response get(DataPlane plane, int port, WeightedBackend backend) throws Exception {
        plane.apply(snapshot(plane.current() == null ? 1 : plane.current().version() + 1, http(port, listener(null, vhost("*",
                Snapshots.route("r", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(), backend))))));
        try (RawHttp c = RawHttp.connect(port)) {
            return c.send("GET /x HTTP/1.1\r\nHost: abc.example.com\r\n\r\n").read();
        }
    }

    @Test
    void aBackendWhoseCertificateTheCaSignedForTheHostnameIsServedWithTheHostnameAsSni() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(oneEventLoop())) {
            final WeightedBackend backend = backend(b, policy("abc.example.com", CA.pem(), List.of()));
            for (int i = 0; i < 3; i++) {
                final RawHttp.Response r = get(plane, port, backend);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("tls sni=abc.example.com client=-");
            }
            // keep-alive TLS connections are pooled, across snapshots with equal settings: one handshake served all three
            assertThat(b.serverNames()).containsExactly("abc.example.com");
            assertThat(b.requests()).isEqualTo(3);
        }
    }

    @Test
    void aBackendSignedByAnotherCaGetsNothingAndTheClientA502() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final RawHttp.Response r = get(plane, port, backend(b, policy("abc.example.com", OTHER_CA.pem(), List.of())));
            assertThat(r.status()).isEqualTo(502);
            assertThat(b.requests()).isZero();
            assertThat(b.serverNames()).containsExactly("abc.example.com"); // it was asked, and refused
        }
    }

    @Test
    void aHostnameTheCertificateDoesNotCarryGetsA502() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final RawHttp.Response r = get(plane, port, backend(b, policy("mismatch.example.com", CA.pem(), List.of())));
            assertThat(r.status()).isEqualTo(502);
            assertThat(b.requests()).isZero();
            assertThat(b.serverNames()).containsExactly("mismatch.example.com");
        }
    }

    @Test
    void subjectAltNamesReplaceTheHostnameForVerificationButNotAsSni() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final SubjectAltName uri = new SubjectAltName(SubjectAltName.Type.URI, "spiffe://abc.example.com/test-identity");
            final SubjectAltName otherDns = new SubjectAltName(SubjectAltName.Type.HOSTNAME, "other.example.com");
            final SubjectAltName wrongUri = new SubjectAltName(SubjectAltName.Type.URI, "spiffe://abc.example.com/other");
            final SubjectAltName wrongDns = new SubjectAltName(SubjectAltName.Type.HOSTNAME, "mismatch.example.com");
            // the SNI names a host the certificate lacks; the SAN list decides
            assertThat(get(plane, port, backend(b, policy("sni.example.com", CA.pem(), List.of(uri)))).status())
                    .isEqualTo(200);
            assertThat(get(plane, port, backend(b, policy("sni.example.com", CA.pem(), List.of(wrongDns, otherDns))))
                    .status()).isEqualTo(200);
            assertThat(b.requests()).isEqualTo(2);
            assertThat(get(plane, port, backend(b, policy("abc.example.com", CA.pem(), List.of(wrongUri)))).status())
                    .isEqualTo(502);
            assertThat(get(plane, port, backend(b, policy("abc.example.com", CA.pem(), List.of(wrongDns, wrongUri))))
                    .status()).isEqualTo(502);
            assertThat(b.requests()).isEqualTo(2);
            assertThat(b.serverNames()).containsExactly("sni.example.com", "sni.example.com", "abc.example.com",
                    "abc.example.com");
        }
    }

    @Test
    void theGatewaysClientCertificateIsPresentedToABackendThatRequiresOne() throws Exception {
        final int port = Ports.free();
        final TestCa clients = new TestCa("client-ca");
        try (HttpsBackend b = new HttpsBackend("mtls", SERVER, clients);
             DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final BackendTls tls = policy("abc.example.com", CA.pem(), List.of());
            assertThat(get(plane, port, backend(b, tls)).status()).isEqualTo(502);
            assertThat(get(plane, port, backend(b, tls.withClientCertificate(
                    OTHER_CA.issue("stranger", List.of(), List.of(), true)))).status()).isEqualTo(502);
            assertThat(b.requests()).isZero();
            final RawHttp.Response r = get(plane, port, backend(b, tls.withClientCertificate(
                    clients.issue("gateway", List.of(), List.of(), true))));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("mtls sni=abc.example.com client=CN=gateway");
        }
    }

    @Test
    void aPolicyWithoutAValidCaAnswers500WithoutConnecting() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final RawHttp.Response r = get(plane, port, backend(b,
                    BackendTls.refused("ns/policy", "abc.example.com", "no caCertificateRef is valid")));
            assertThat(r.status()).isEqualTo(500);
            assertThat(b.serverNames()).isEmpty();
        }
    }

    @Test
    void aConnectionVerifiedUnderOnePolicyIsNotReusedUnderAnother() throws Exception {
        final int port = Ports.free();
        try (HttpsBackend b = new HttpsBackend("tls", SERVER, null); DataPlane plane = new DataPlane(oneEventLoop())) {
            assertThat(get(plane, port, backend(b, policy("abc.example.com", CA.pem(), List.of()))).status())
                    .isEqualTo(200);
            // the same endpoint, now with a policy naming another CA: the verified connection is not reused
            assertThat(get(plane, port, backend(b, policy("abc.example.com", OTHER_CA.pem(), List.of()))).status())
                    .isEqualTo(502);
            assertThat(b.requests()).isEqualTo(1);
        }
    }
}
