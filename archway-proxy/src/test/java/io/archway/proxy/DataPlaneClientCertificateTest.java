package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.testing.TlsProviders;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.certificate.PemKeyMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Client certificates on an HTTPS socket (GatewayFrontendClientCertificateValidation), with the
 * JDK's SSLEngine and BoringSSL: AllowValidOnly refuses a client without a certificate or with
 * one another CA issued, AllowInsecureFallback asks for one and accepts anything; the JDK client
 * and {@code openssl s_client} (skipped without openssl) see it.
 */
@TlsProviders.Each
class DataPlaneClientCertificateTest {
    @Parameter
    TlsProviders provider;
    private static final CertificateBundle SERVER = TestCertificates.selfSigned("a.example.com", false);
    private static final CertificateBundle CA = TestCertificates.authority("client-ca");
    private static final CertificateBundle OTHER_CA = TestCertificates.authority("other-ca");
    private static final CertificateBundle CLIENT = TestCertificates.issued("client", CA, true);
    private static final CertificateBundle STRANGER = TestCertificates.issued("stranger", OTHER_CA, true);

    private static TestBackend a;
    private DataPlane plane;
    private int port;

    @BeforeAll
    static void backends() {
        a = new TestBackend("a");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
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

    private void serve(FrontendValidation.Mode mode) {
        final FrontendValidation validation = mode == null ? null
                : new FrontendValidation(List.of("ConfigMap ns/client-ca"), CA.certificateChainPem(), mode);
        final RoutingSnapshot s = snapshot(1, new PortBinding("127.0.0.1", port, new HttpPort(ListenerProtocol.HTTPS,
                List.of(listener("a", "a.example.com", List.of(SERVER), vhost("a.example.com",
                        prefix("a", "/", backend("a", 1, a.port()))))), validation)));
        plane.apply(s);
    }

    @Test
    void allowValidOnlyServesOnlyClientsWithACertificateTheCaIssued() throws Exception {
        serve(FrontendValidation.Mode.ALLOW_VALID_ONLY);
        final AtomicBoolean asked = new AtomicBoolean();
        assertThat(get(CLIENT, asked)).isEqualTo("a");
        assertThat(asked).as("the server asked for a client certificate").isTrue();
        assertThatThrownBy(() -> get(STRANGER, new AtomicBoolean())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(null, new AtomicBoolean())).isInstanceOf(IOException.class);
    }

    @Test
    void allowInsecureFallbackAsksButServesAnyClient() throws Exception {
        serve(FrontendValidation.Mode.ALLOW_INSECURE_FALLBACK);
        for (CertificateBundle client : new CertificateBundle[] {CLIENT, STRANGER, null}) {
            final AtomicBoolean asked = new AtomicBoolean();
            assertThat(get(client, asked)).isEqualTo("a");
            assertThat(asked).as("the server asked for a client certificate").isTrue();
        }
    }

    @Test
    void withoutValidationNoCertificateIsAskedFor() throws Exception {
        serve(null);
        final AtomicBoolean asked = new AtomicBoolean();
        assertThat(get(CLIENT, asked)).isEqualTo("a");
        assertThat(asked).isFalse();
    }

    /** openssl s_client: the CertificateRequest names the CA; a certificate it issued is served, none is refused. */
    @Test
    void opensslSClientIsRefusedWithoutACertificateAndServedWithOne(@TempDir Path dir)
            throws Exception {
        final Path openssl = DataPlaneTlsTerminateTest.onPath("openssl");
        Assumptions.assumeTrue(openssl != null, "openssl is not installed");
        serve(FrontendValidation.Mode.ALLOW_VALID_ONLY);
        final Path cert = Files.writeString(dir.resolve("client.crt"), CLIENT.certificateChainPem());
        final Path key = Files.writeString(dir.resolve("client.key"), CLIENT.privateKeyPem());
        final String served = sClient(openssl, "-cert", cert.toString(), "-key", key.toString());
        assertThat(served).contains("Acceptable client certificate CA names").containsPattern("CN\\s*=\\s*client-ca")
                .contains("HTTP/1.1 200").contains("\r\n\r\na");
        final String refused = sClient(openssl);
        assertThat(refused).doesNotContain("HTTP/1.1 200").containsPattern("alert|error");
    }

    private String sClient(Path openssl, String... extra) throws Exception {
        final List<String> cmd = new java.util.ArrayList<>(List.of(openssl.toString(), "s_client", "-connect",
                "127.0.0.1:" + port, "-servername", "a.example.com", "-tls1_3", "-ign_eof"));
        cmd.addAll(List.of(extra));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        final String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** GET / over a new TLS 1.3 connection presenting {@code client} (none when null); the response body. */
    private String get(CertificateBundle client, AtomicBoolean asked) throws Exception {
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new OneCertificate(client, asked)}, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(new Socket("127.0.0.1", port), "127.0.0.1",
                port, true)) {
            final SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("a.example.com")));
            params.setProtocols(new String[] {"TLSv1.3"});
            s.setSSLParameters(params);
            s.setSoTimeout(5000);
            s.startHandshake();
            // TLS 1.3: the server judges the certificate after the client's Finished, so a refusal
            // arrives as an alert when the client reads.
            final RawHttp.Response r = new RawHttp(s).send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        }
    }

    /** Presents {@code bundle} when the server asks, and records that it asked. */
    private static final class OneCertificate extends X509ExtendedKeyManager {
        private final CertificateBundle bundle;
        private final AtomicBoolean asked;

        OneCertificate(CertificateBundle bundle, AtomicBoolean asked) {
            this.bundle = bundle;
            this.asked = asked;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked.set(true);
            return bundle == null ? null : "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyType, issuers, null);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            try {
                return bundle == null ? null : PemKeyMaterial.certificates(bundle.certificateChainPem());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            try {
                return bundle == null ? null : PemKeyMaterial.privateKey(bundle.privateKeyPem());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return bundle == null ? new String[0] : new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
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
