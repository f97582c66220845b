package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.terminate;
import static io.archway.proxy.testing.Snapshots.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.DataPlaneTlsPassthroughTest.TlsClient;
import io.archway.proxy.TrafficObserver.TlsRejection;
import io.archway.proxy.testing.LeakCheck;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.testing.TlsBackend;
import io.archway.proxy.testing.TlsProviders;
import io.archway.snapshot.CertificateBundle;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * TLS listeners in Terminate mode (TLSRouteModeTerminate), alone and beside Passthrough listeners
 * on one port (TLSRouteModeMixed), over real loopback sockets with the JDK TLS client and openssl
 * s_client: the proxy completes the handshake with the listener's certificate and relays the
 * decrypted stream to a plain TCP backend; on a mixed port the server name decides which. With
 * BoringSSL and with the JDK's SSLEngine.
 */
@TlsProviders.Each
class DataPlaneTlsTerminateTest {
    private static final CertificateBundle TERMINATE = TestCertificates.selfSigned("t.example.com", false);
    private static final CertificateBundle TERMINATE_EC = TestCertificates.selfSigned("e.example.com", "EC", false);
    private static TcpBackend plain;
    private static TlsBackend encrypted;
    private static LeakCheck leakCheck;

    @Parameter
    TlsProviders provider;
    private final DataPlaneTlsPassthroughTest.Recorder recorder = new DataPlaneTlsPassthroughTest.Recorder();
    private DataPlane plane;
    private int port;

    @BeforeAll
    static void backends() {
        leakCheck = new LeakCheck();
        plain = new TcpBackend("plain");
        encrypted = new TlsBackend("encrypted", "a.example.com");
    }

    @AfterAll
    static void stopBackends() throws Exception {
        plain.close();
        encrypted.close();
        try {
            assertThat(leakCheck.leaks()).as("Netty buffer leaks").isEmpty();
        } finally {
            leakCheck.close();
        }
    }

    @BeforeEach
    void start() {
        plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()), recorder);
        port = Ports.free();
        // Listeners in the reverse of their precedence: a Terminate listener for t.example.com, an
        // ECDSA one for e.example.com, a Passthrough one for *.example.com, on one port.
        plane.apply(snapshot(1, tls(port,
                passthrough("pass", "*.example.com", sni("*.example.com", "pass", backend("enc", 1, encrypted.port()))),
                terminate("term-ec", "e.example.com", List.of(TERMINATE_EC),
                        sni("e.example.com", "term-ec", backend("plain", 1, plain.port()))),
                terminate("term", "t.example.com", List.of(TERMINATE),
                        sni("t.example.com", "term", backend("plain", 1, plain.port()))))));
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    @Test
    void terminateListenerPresentsItsCertificateAndRelaysThePlaintextBothWaysWithHalfClose() throws Exception {
        try (TlsClient client = TlsClient.connect(port, "t.example.com")) {
            assertThat(client.peer().getEncoded()).isEqualTo(TestCertificates.certificate(TERMINATE).getEncoded());
            assertThat(client.line()).isEqualTo("plain"); // the plain TCP backend's greeting, decrypted
            client.send("hello through TLS\n");
            assertThat(client.line()).isEqualTo("hello through TLS");
            // TLS 1.3 half-close: close_notify, which the proxy turns into a FIN to the backend...
            client.shutdownOutput();
            assertThat(client.line()).isEqualTo("eof:plain");
            // ...and the backend's FIN becomes close_notify + FIN: a clean end of stream.
            assertThat(client.read()).isEqualTo(-1);
        }
        DataPlaneTlsPassthroughTest.waitFor(() -> recorder.closed.size() == 1);
        assertThat(recorder.closed.get(0).route().name()).isEqualTo("term");
        // Decrypted bytes: "hello through TLS\n" from the client; greeting, echo and eof line to it.
        assertThat(recorder.closed.get(0).fromClient()).isEqualTo(18);
        assertThat(recorder.closed.get(0).toClient()).isEqualTo(6 + 18 + 10);
        assertThat(recorder.rejected).isEmpty();
    }

    @Test
    void ecdsaCertificatesTerminateToo() throws Exception {
        try (TlsClient client = TlsClient.connect(port, "e.example.com")) {
            assertThat(client.peer().getEncoded()).isEqualTo(TestCertificates.certificate(TERMINATE_EC).getEncoded());
            assertThat(client.peer().getPublicKey().getAlgorithm()).isEqualTo("EC");
            assertThat(client.line()).isEqualTo("plain");
        }
    }

    @Test
    void onAMixedPortTheServerNamePicksPassthroughOrTerminate() throws Exception {
        try (TlsClient client = TlsClient.connect(port, "a.example.com")) {
            // Passthrough: the backend's own certificate, and it saw the server name.
            assertThat(client.peer().getEncoded()).isEqualTo(encrypted.certificate().getEncoded());
            assertThat(client.line()).isEqualTo("encrypted");
        }
        try (TlsClient client = TlsClient.connect(port, "t.example.com")) {
            assertThat(client.peer().getSubjectX500Principal().getName()).isEqualTo("CN=t.example.com");
            assertThat(client.line()).isEqualTo("plain");
        }
        assertThat(encrypted.serverNames()).contains("a.example.com");
    }

    @Test
    void onlyTls12And13AreServedAndNoAlpnIsNegotiatedForAByteStream() throws Exception {
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket s = connect("t.example.com", version, "h2")) {
                assertThat(s.getSession().getProtocol()).isEqualTo(version);
                assertThat(s.getApplicationProtocol()).isEmpty();
            }
        }
        // The JDK client refuses TLS 1.1 itself; openssl can still offer it.
        final Path openssl = onPath("openssl");
        Assumptions.assumeTrue(openssl != null, "openssl is not installed");
        assertThat(opensslHandshake(openssl, "-tls1_2")).contains("Protocol  : TLSv1.2");
        assertThat(opensslHandshake(openssl, "-tls1_1")).contains("alert protocol version")
                .contains("Cipher is (NONE)");
    }

    private String opensslHandshake(Path openssl, String version) throws Exception {
        final Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "t.example.com", version, "-cipher", "DEFAULT@SECLEVEL=0")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        final String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void aClientLeavingMidHandshakeIsClosedWithoutABackendConnection() throws Exception {
        final int before = plain.accepted();
        final javax.net.ssl.SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(true);
        final SSLParameters params = engine.getSSLParameters();
        params.setServerNames(List.<SNIServerName>of(new SNIHostName("t.example.com")));
        engine.setSSLParameters(params);
        final java.nio.ByteBuffer hello = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), hello);
        hello.flip();
        try (java.net.Socket raw = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            raw.getOutputStream().write(hello.array(), 0, hello.limit());
            raw.getOutputStream().flush();
            raw.setSoTimeout(5000);
            assertThat(raw.getInputStream().read()).as("the ServerHello").isEqualTo(0x16);
        }
        // The route was chosen, the client left during the handshake: closed, reported, and the
        // backend never connected to (the relay starts only after a successful handshake).
        DataPlaneTlsPassthroughTest.waitFor(() -> recorder.rejected.contains(TlsRejection.CLIENT_CLOSED));
        assertThat(recorder.opened).isEmpty();
        assertThat(plain.accepted()).isEqualTo(before);
        try (TlsClient ok = TlsClient.connect(port, "t.example.com")) {
            assertThat(ok.line()).isEqualTo("plain");
        }
    }

    @Test
    void aTerminateListenerWithoutCertificateClosesAfterTheHello() throws Exception {
        // A listener never served before (one that was keeps its last good certificate).
        plane.apply(snapshot(2, tls(port, terminate("term-new", "t.example.com", List.of(),
                sni("t.example.com", "term", backend("plain", 1, plain.port()))))));
        assertThatThrownBy(() -> TlsClient.connect(port, "t.example.com").close()).isInstanceOf(IOException.class);
        DataPlaneTlsPassthroughTest.waitFor(() -> recorder.rejected.contains(TlsRejection.NO_CERTIFICATE));
    }

    /** openssl s_client sees the listener's certificate and the backend's greeting (skipped without openssl). */
    @Test
    void opensslSClientSeesTheListenersCertificateAndTheDecryptedStream() throws Exception {
        final Path openssl = onPath("openssl");
        Assumptions.assumeTrue(openssl != null, "openssl is not installed");
        final Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "t.example.com", "-showcerts", "-ign_eof")
                .redirectErrorStream(true).start();
        p.getOutputStream().write("from openssl\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close(); // -ign_eof: s_client keeps reading until the proxy closes
        final StringBuilder text = new StringBuilder();
        final InputStream in = p.getInputStream();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        final byte[] buf = new byte[4096];
        while (!text.toString().contains("from openssl\n") && System.nanoTime() < deadline) {
            final int n = in.read(buf);
            if (n < 0) {
                break;
            }
            text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        p.destroy();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String out = text.toString();
        assertThat(out).containsPattern("subject=\\s*CN\\s*=\\s*t\\.example\\.com");
        final String base64 = out.substring(out.indexOf("-----BEGIN CERTIFICATE-----") + 27,
                out.indexOf("-----END CERTIFICATE-----")).replaceAll("\\s", "");
        assertThat(Base64.getDecoder().decode(base64)).isEqualTo(TestCertificates.certificate(TERMINATE).getEncoded());
        assertThat(out).contains("plain\n").contains("from openssl\n");
    }

    private SSLSocket connect(String serverName, String version, String... alpn) throws IOException {
        final SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        try {
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            final SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.<SNIServerName>of(new SNIHostName(serverName)));
            params.setProtocols(new String[] {version});
            if (alpn.length > 0) {
                params.setApplicationProtocols(alpn);
            }
            s.setSSLParameters(params);
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            final Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
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
