package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate hot reload through the whole product: Secret files change under a running server
 * (directory watch, 100 ms debounce), HTTPS listeners and a JDK TLS client on real sockets.
 * A rotated Secret reaches new handshakes within 1 s while an open connection keeps its
 * certificate and keeps working; a Secret whose data breaks (key mismatch, not base64) makes its
 * listener ResolvedRefs=False / InvalidCertificateRef naming the Secret and the problem, while that
 * listener keeps presenting its last good certificate and the other listener is untouched.
 */
class TlsHotReloadTest {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    @TempDir
    Path dir;
    private Backend backend;
    private ArchwayServer server;
    private int port;

    /** A self-signed certificate and its key, in PEM. */
    private record Issued(X509Certificate certificate, String crt, String key) {
    }

    private static Issued issue(String dnsName) throws Exception {
        final KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        final KeyPair kp = gen.generateKeyPair();
        final X500Name subject = new X500Name("CN=" + dnsName);
        final long now = System.currentTimeMillis();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                subject, kp.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        return new Issued(cert, pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    }

    private static String pem(String type, byte[] der) throws IOException {
        final StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        }
        return sw.toString();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private void saveSecret(String name, String crtData, String keyData) throws IOException {
        Manifests.save(dir.resolve("secret-" + name + ".yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: %s
                type: kubernetes.io/tls
                data:
                  tls.crt: "%s"
                  tls.key: "%s"
                """.formatted(name, crtData, keyData));
    }

    private void saveSecret(String name, Issued issued) throws IOException {
        saveSecret(name, b64(issued.crt()), b64(issued.key()));
    }

    @BeforeEach
    void start() throws Exception {
        backend = new Backend("app");
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: archway
                spec:
                  controllerName: archway.io/gateway-controller
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: a
                    protocol: HTTPS
                    port: %1$d
                    hostname: a.example.com
                    tls:
                      certificateRefs:
                      - name: a-cert
                  - name: b
                    protocol: HTTPS
                    port: %1$d
                    hostname: b.example.com
                    tls:
                      certificateRefs:
                      - name: b-cert
                """.formatted(port));
        Files.writeString(dir.resolve("backend.yaml"), Manifests.service("app", backend.port()));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("app", "tls"));
    }

    private void startServer() throws Exception {
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(100), true));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        backend.close();
    }

    @Test
    void aRotatedSecretReachesNewHandshakesWithinOneSecondWhileAnOpenConnectionKeepsItsCertificate()
            throws Exception {
        final Issued first = issue("a.example.com");
        final Issued second = issue("a.example.com");
        saveSecret("a-cert", first);
        saveSecret("b-cert", issue("b.example.com"));
        startServer();
        try (Client open = Client.connect(port, "a.example.com")) {
            assertThat(open.peer()).isEqualTo(first.certificate());
            assertThat(open.get("a.example.com")).isEqualTo("200 app");

            saveSecret("a-cert", second);
            final long written = System.nanoTime();
            X509Certificate seen = null;
            while (System.nanoTime() - written < 5_000_000_000L) {
                try (Client fresh = Client.connect(port, "a.example.com")) {
                    seen = fresh.peer();
                }
                if (seen.equals(second.certificate())) {
                    break;
                }
                Thread.sleep(20);
            }
            final Duration took = Duration.ofNanos(System.nanoTime() - written);
            System.out.println("rotated certificate seen by a new handshake " + took.toMillis()
                    + " ms after the Secret file was written");
            assertThat(seen).isEqualTo(second.certificate());
            assertThat(took).as("new handshakes see the rotated certificate").isLessThan(Duration.ofSeconds(1));

            // The connection opened before the rotation still works, with the certificate it negotiated.
            assertThat(open.get("a.example.com")).isEqualTo("200 app");
            assertThat(open.peer()).isEqualTo(first.certificate());
        }
    }

    @Test
    void aBrokenSecretIsReportedAndItsListenerKeepsItsLastGoodCertificateWhileTheOtherIsUntouched()
            throws Exception {
        final Issued a = issue("a.example.com");
        final Issued b = issue("b.example.com");
        final Issued stranger = issue("a.example.com");
        saveSecret("a-cert", a);
        saveSecret("b-cert", b);
        startServer();
        try (Client openB = Client.connect(port, "b.example.com")) {
            assertThat(openB.get("b.example.com")).isEqualTo("200 app");

            // a-cert now holds another certificate's key.
            saveSecret("a-cert", b64(a.crt()), b64(stranger.key()));
            final ListenerStatus broken = awaitListener("a", "InvalidCertificateRef");
            assertThat(condition(broken, "ResolvedRefs").getMessage()).isEqualTo("Secret default/a-cert: tls.key does"
                    + " not match the certificate in tls.crt (CN=a.example.com): it is the key of another certificate");
            assertThat(condition(broken, "Programmed").getStatus()).isEqualTo("False");
            try (Client fresh = Client.connect(port, "a.example.com")) {
                assertThat(fresh.peer()).as("last good certificate").isEqualTo(a.certificate());
                assertThat(fresh.get("a.example.com")).isEqualTo("200 app");
            }
            assertThat(condition(listener("b"), "ResolvedRefs").getStatus()).isEqualTo("True");
            try (Client freshB = Client.connect(port, "b.example.com")) {
                assertThat(freshB.peer()).isEqualTo(b.certificate());
            }
            assertThat(openB.get("b.example.com")).isEqualTo("200 app");

            // Not base64: the same, with its own diagnostic.
            saveSecret("a-cert", "%%% not base64 %%%", b64(a.key()));
            awaitListenerMessage("a", "Secret default/a-cert: data.tls.crt is not base64");
            try (Client fresh = Client.connect(port, "a.example.com")) {
                assertThat(fresh.peer()).isEqualTo(a.certificate());
            }
            assertThat(server.status().diagnostics()).anySatisfy(d -> assertThat(d.message())
                    .contains("Secret default/a-cert: data.tls.crt is not base64")
                    .contains("keeps its last good certificate"));

            // Fixed: served again, and reported as such.
            final Issued renewed = issue("a.example.com");
            saveSecret("a-cert", renewed);
            awaitListener("a", "ResolvedRefs");
            try (Client fresh = Client.connect(port, "a.example.com")) {
                assertThat(fresh.peer()).isEqualTo(renewed.certificate());
            }
        }
    }

    private ListenerStatus listener(String name) {
        final Gateway gw = (Gateway) server.status().list("Gateway", "default").get(0);
        return gw.getStatus().getListeners().stream().filter(l -> l.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Condition condition(ListenerStatus listener, String type) {
        return listener.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    /** Waits until the listener's ResolvedRefs reason is {@code reason}. */
    private ListenerStatus awaitListener(String name, String reason) throws InterruptedException {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            final ListenerStatus l = listener(name);
            if (condition(l, "ResolvedRefs").getReason().equals(reason) || System.nanoTime() > deadline) {
                assertThat(condition(l, "ResolvedRefs").getReason()).isEqualTo(reason);
                return l;
            }
            Thread.sleep(20);
        }
    }

    private void awaitListenerMessage(String name, String message) throws InterruptedException {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            final Condition c = condition(listener(name), "ResolvedRefs");
            if (c.getMessage().contains(message) || System.nanoTime() > deadline) {
                assertThat(c.getReason()).isEqualTo("InvalidCertificateRef");
                assertThat(c.getMessage()).contains(message);
                return;
            }
            Thread.sleep(20);
        }
    }

    /** A JDK TLS client (HTTP/1.1, keep-alive) trusting any certificate. */
    private static final class Client implements AutoCloseable {
        private final SSLSocket socket;

        private Client(SSLSocket socket) {
            this.socket = socket;
        }

        static Client connect(int port, String serverName) throws Exception {
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
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
            }}, null);
            final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            final SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.<SNIServerName>of(new SNIHostName(serverName)));
            params.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(params);
            s.startHandshake();
            return new Client(s);
        }

        X509Certificate peer() throws IOException {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        /** GET / on this connection: "status body". */
        String get(String host) throws IOException {
            final OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String status = line(in);
            int length = 0;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            return status.split(" ")[1] + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        private static String line(InputStream in) throws IOException {
            final ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("EOF");
                }
                if (c != '\r') {
                    buf.write(c);
                }
            }
            return buf.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
