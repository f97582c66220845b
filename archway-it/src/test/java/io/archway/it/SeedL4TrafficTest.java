package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' L4 examples served by a real gateway and used by real clients: the overview's MySQL
 * style TCPRoutes bound by sectionName to two TCP listeners (8080, 8090), the practical guide's
 * multi-protocol Gateway (its TCP listener on 3306 takes TCPRoutes and, with none attached, closes
 * connections), and the guide's TLSRoute passthrough: a client with SNI secure.example.com sees the
 * backend's own certificate through the gateway. The seed files are copied unedited; the test adds
 * what a cluster would have (Services, EndpointSlices) and, for the TLSRoute, the Gateway it names
 * with a TLS Passthrough listener (the guide shows the route alone). Ports are served with an offset.
 */
class SeedL4TrafficTest {
    @TempDir
    static Path dir;
    private static ArchwayServer server;
    private static int offset;
    private static final List<AutoCloseable> BACKENDS = new ArrayList<>();
    private static X509Certificate secureBackendCert;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(SeedExamplesTest.SEEDS.resolve("overview/06-tcp-gateway-tcproutes.yaml"), dir.resolve("06-tcp.yaml"));
        Files.copy(SeedExamplesTest.SEEDS.resolve("practical-guide/03-multi-protocol-gateway.yaml"),
                dir.resolve("03-multi.yaml"));
        Files.copy(SeedExamplesTest.SEEDS.resolve("practical-guide/08-tls-passthrough-tlsroute.yaml"),
                dir.resolve("08-tls.yaml"));
        StringBuilder infra = new StringBuilder();
        infra.append(service("foo-service", 6000, namedEcho("foo-service")));
        infra.append(service("bar-service", 6000, namedEcho("bar-service")));
        infra.append(service("secure-backend", 443, tlsEcho("secure.example.com")));
        infra.append("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: my-gateway, namespace: default}
                spec:
                  gatewayClassName: envoy-gateway
                  listeners:
                  - name: tls
                    protocol: TLS
                    port: 443
                    hostname: "*.example.com"
                    tls: {mode: Passthrough}
                """);
        Files.writeString(dir.resolve("infra.yaml"), infra.toString());
        offset = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.LoopbackPerGateway(), true), offset,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable b : BACKENDS) {
            b.close();
        }
    }

    private static Gateway gateway(String name) {
        return (Gateway) server.status().list("Gateway", "default").stream()
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private static String address(String gateway) {
        return gateway(gateway).getStatus().getAddresses().get(0).getValue();
    }

    @Test
    void eachTcpRouteServesTheListenerItsSectionNameNames() throws IOException {
        for (int i = 0; i < 3; i++) {
            assertThat(firstLine(address("tcp-gateway"), 8080 + offset)).isEqualTo("foo-service");
            assertThat(firstLine(address("tcp-gateway"), 8090 + offset)).isEqualTo("bar-service");
        }
        // and the bytes go both ways, as they were sent
        try (Socket s = connect(address("tcp-gateway"), 8080 + offset)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("foo-service");
            s.getOutputStream().write("SELECT 1;\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("SELECT 1;");
        }
    }

    @Test
    void theMultiProtocolGatewaysTcpListenerTakesTcpRoutesAndClosesWithoutOne() throws IOException {
        ListenerStatus tcp = gateway("multi-protocol-gateway").getStatus().getListeners().stream()
                .filter(l -> l.getName().equals("tcp")).findFirst().orElseThrow();
        assertThat(tcp.getSupportedKinds()).extracting(k -> k.getKind()).containsExactly("TCPRoute");
        assertThat(tcp.getAttachedRoutes()).isZero();
        try (Socket s = connect(address("multi-protocol-gateway"), 3306 + offset)) {
            assertThat(s.getInputStream().read()).as("closed: no TCPRoute is attached").isEqualTo(-1);
        }
    }

    @Test
    void theTlsRoutePassesTlsThroughSoTheClientSeesTheBackendsCertificate() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        try (Socket plain = connect(address("my-gateway"), 443 + offset);
             SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "secure.example.com",
                     443 + offset, true)) {
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("secure.example.com")));
            s.setSSLParameters(params);
            s.startHandshake();
            Certificate[] peer = s.getSession().getPeerCertificates();
            assertThat(peer[0]).as("the backend's own certificate, untouched by the gateway")
                    .isEqualTo(secureBackendCert);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            assertThat(in.readLine()).isEqualTo("secure.example.com: ping");
        }
        // openssl s_client, as an operator would check it
        if (new java.io.File("/usr/bin/openssl").canExecute()) {
            Process p = new ProcessBuilder("openssl", "s_client", "-connect", address("my-gateway") + ":"
                    + (443 + offset), "-servername", "secure.example.com").redirectErrorStream(true).start();
            p.getOutputStream().close();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("CN = secure.example.com").doesNotContain("connect:errno");
        }
        // a server name the route does not serve gets no backend
        try (Socket plain = connect(address("my-gateway"), 443 + offset);
             SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "other.example.com",
                     443 + offset, true)) {
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("other.example.com")));
            s.setSSLParameters(params);
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static String firstLine(String host, int port) throws IOException {
        try (Socket s = connect(host, port)) {
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /** A TCP backend that greets with its name, then echoes lines. */
    private static int namedEcho(String name) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        BACKENDS.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket c = ss.accept();
                    Thread h = new Thread(() -> echo(c, name + "\n", ""));
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    /** A TLS backend with its own certificate for {@code dnsName}, echoing lines prefixed by the name. */
    private static int tlsEcho(String dnsName) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair kp = gen.generateKeyPair();
        X500Name subject = new X500Name("CN=" + dnsName);
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), subject, kp.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        secureBackendCert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", kp.getPrivate(), "pw".toCharArray(), new Certificate[] {secureBackendCert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress());
        BACKENDS.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket c = ss.accept();
                    Thread h = new Thread(() -> echo(c, "", dnsName + ": "));
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    private static void echo(Socket c, String greeting, String prefix) {
        try (c) {
            c.getOutputStream().write(greeting.getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                c.getOutputStream().write((prefix + line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String service(String name, int port, int backendPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: default}
                spec:
                  ports: [{port: %2$d}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: default
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports: [{port: %3$d}]
                endpoints: [{addresses: [127.0.0.1]}]
                ---
                """.formatted(name, port, backendPort);
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
