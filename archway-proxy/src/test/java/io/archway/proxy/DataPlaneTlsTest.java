package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.https;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.testing.TlsProviders;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.RoutingSnapshot;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** HTTPS: certificates picked by SNI, routing by Host, hot certificate reload; with BoringSSL and the JDK. */
@TlsProviders.Each
class DataPlaneTlsTest {
    private static final CertificateBundle A_CERT = TestCertificates.selfSigned("a.example.com", false);
    // PKCS#1 ("RSA PRIVATE KEY"), as Go and the Gateway API conformance suite write keys.
    private static final CertificateBundle B_CERT = TestCertificates.selfSigned("b.example.com", true);
    private static final CertificateBundle A_CERT_RENEWED = TestCertificates.selfSigned("a.example.com", false);

    @Parameter
    TlsProviders provider;
    private static TestBackend a;
    private static TestBackend b;
    private DataPlane plane;
    private int port;

    @BeforeAll
    static void backends() {
        a = new TestBackend("a");
        b = new TestBackend("b");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
    }

    @BeforeEach
    void start() {
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    private RoutingSnapshot snapshotWith(long version, CertificateBundle aCert) {
        return snapshot(version, https(port,
                listener("a", "a.example.com", List.of(aCert), vhost("a.example.com", prefix("a", "/",
                        backend("a", 1, a.port())))),
                listener("b", "b.example.com", List.of(B_CERT), vhost("b.example.com", prefix("b", "/",
                        backend("b", 1, b.port()))))));
    }

    @Test
    void picksCertificateBySniAndRoutesByHost() throws Exception {
        plane.apply(snapshotWith(1, A_CERT));
        try (SSLSocket s = connect("a.example.com")) {
            assertThat(peerSubject(s)).isEqualTo("CN=a.example.com");
            final RawHttp.Response r = new RawHttp(s).send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("a");
            assertThat(a.lastRequest().headers().get("x-forwarded-proto")).isEqualTo("https");
        }
        try (SSLSocket s = connect("b.example.com")) {
            assertThat(peerSubject(s)).isEqualTo("CN=b.example.com");
            assertThat(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: b.example.com\r\n\r\n").read().body())
                    .isEqualTo("b");
        }
        // No SNI: the default certificate is the first listener's.
        try (SSLSocket s = connect(null)) {
            assertThat(peerSubject(s)).isEqualTo("CN=a.example.com");
            // The Host header, not SNI, decides the route.
            assertThat(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: b.example.com\r\n\r\n").read().body())
                    .isEqualTo("b");
        }
    }

    @Test
    void detectsMisdirectedRequestsWhenHostSelectsAnotherListenerThanSni() throws Exception {
        // The listeners and cases of conformance HTTPRouteHTTPSListenerDetectMisdirectedRequests.
        final List<CertificateBundle> cert = List.of(A_CERT);
        plane.apply(snapshot(1, https(port,
                listener("fourth", "fourth-example.wildcard.org", cert, vhost("fourth-example.wildcard.org",
                        prefix("v1", "/", backend("a", 1, a.port())))),
                listener("second", "second-example.org", cert, vhost("second-example.org",
                        prefix("v2", "/", backend("b", 1, b.port())))),
                listener("wild", "*.wildcard.org", cert, vhost("*.wildcard.org",
                        prefix("v3", "/", backend("b", 1, b.port())))),
                listener("https", null, cert, vhost("example.org", prefix("v1", "/", backend("a", 1, a.port())))))));
        final String[][] cases = {
            {"example.org", "example.org", "200"}, {"example.org", "second-example.org", "421"},
            {"example.org", "unknown-example.org", "404"}, {"second-example.org", "second-example.org", "200"},
            {"second-example.org", "example.org", "421"}, {"second-example.org", "unknown-example.org", "421"},
            {"third-example.wildcard.org", "third-example.wildcard.org", "200"},
            {"third-example.wildcard.org", "fith-example.wildcard.org", "200"},
            {"third-example.wildcard.org", "fourth-example.wildcard.org", "421"},
            {"third-example.wildcard.org", "second-example.org", "421"},
            {"third-example.wildcard.org", "unknown-example.org", "421"},
            {"fourth-example.wildcard.org", "fourth-example.wildcard.org", "200"},
            {"fourth-example.wildcard.org", "fith-example.wildcard.org", "421"},
            {"unknown-example.org", "example.org", "200"}, {"unknown-example.org", "unknown-example.org", "404"},
        };
        for (String[] c : cases) {
            try (SSLSocket s = connect(c[0])) {
                final RawHttp.Response r = new RawHttp(s).send("GET /detect-misdirected-requests HTTP/1.1\r\nHost: "
                        + c[1] + "\r\n\r\n").read();
                assertThat(r.status()).as("SNI %s Host %s", c[0], c[1]).isEqualTo(Integer.parseInt(c[2]));
            }
        }
    }

    /**
     * HTTP/2 connection coalescing: streams on one connection share its SNI name, so a stream
     * whose {@code :authority} selects another listener is misdirected (421) while the connection
     * keeps serving the streams that belong to it.
     */
    @Test
    void coalescedHttp2StreamsForAnotherListenerAreMisdirected() throws Exception {
        final List<CertificateBundle> cert = List.of(A_CERT);
        plane.apply(snapshot(1, https(port,
                listener("second", "second-example.org", cert, vhost("second-example.org",
                        prefix("v2", "/", backend("b", 1, b.port())))),
                listener("wild", "*.wildcard.org", cert, vhost("*.wildcard.org",
                        prefix("v3", "/", backend("b", 1, b.port())))),
                listener("https", null, cert, vhost("example.org", prefix("v1", "/", backend("a", 1, a.port())))))));
        try (io.archway.proxy.testing.H2cClient h2 = io.archway.proxy.testing.H2cClient.overTls(port,
                "third.wildcard.org")) {
            final io.netty.handler.codec.http.HttpMethod get = io.netty.handler.codec.http.HttpMethod.GET;
            assertThat(h2.send(get, "/", "third.wildcard.org", "")).isEqualTo("200 b");
            assertThat(h2.send(get, "/", "fifth.wildcard.org", "")).as("same listener").isEqualTo("200 b");
            assertThat(h2.send(get, "/", "example.org", "")).startsWith("421");
            assertThat(h2.send(get, "/", "second-example.org", "")).startsWith("421");
            assertThat(h2.send(get, "/", "third.wildcard.org", "")).as("the connection still serves").isEqualTo("200 b");
        }
    }

    @Test
    void switchingAPortFromHttpToHttpsRetiresPlainConnections() throws Exception {
        plane.apply(snapshot(1, io.archway.proxy.testing.Snapshots.http(port, listener("a", "a.example.com", List.of(),
                vhost("a.example.com", prefix("a", "/", backend("a", 1, a.port())))))));
        try (RawHttp plain = RawHttp.connect(port)) {
            assertThat(plain.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().body()).isEqualTo("a");
            plane.apply(snapshotWith(2, A_CERT));
            assertThat(plain.closedByPeer()).isTrue();
        }
        try (SSLSocket s = connect("a.example.com")) {
            assertThat(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().body())
                    .isEqualTo("a");
        }
    }

    @Test
    void newHandshakesSeeNewCertificateExistingConnectionsKeepTheirs() throws Exception {
        plane.apply(snapshotWith(1, A_CERT));
        try (SSLSocket before = connect("a.example.com")) {
            final X509Certificate first = (X509Certificate) before.getSession().getPeerCertificates()[0];
            plane.apply(snapshotWith(2, A_CERT_RENEWED));
            try (SSLSocket after = connect("a.example.com")) {
                final X509Certificate second = (X509Certificate) after.getSession().getPeerCertificates()[0];
                assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
                assertThat(second.getEncoded()).isEqualTo(
                        io.archway.snapshot.certificate.PemKeyMaterial.certificates(A_CERT_RENEWED.certificateChainPem())[0]
                                .getEncoded());
            }
            // The established connection keeps working on its session.
            assertThat(new RawHttp(before).send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().body())
                    .isEqualTo("a");
        }
    }

    private SSLSocket connect(String sni) throws Exception {
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(new Socket("127.0.0.1", port), "127.0.0.1",
                port, true);
        final SSLParameters params = s.getSSLParameters();
        params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        s.setSSLParameters(params);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    private static String peerSubject(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
