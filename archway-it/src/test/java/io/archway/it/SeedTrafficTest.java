package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SNIHostName;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed documents' examples, copied unedited into one directory (practical guide 01, 04, 05, 06,
 * 11, 12, 13 and the overview's restored v1beta1 example 09) with the Services, EndpointSlices and TLS
 * Secret a cluster would have, served by a real gateway and exercised by real clients over HTTP and
 * HTTPS. Each Gateway gets its own loopback address; ports 80/443 are served with an offset.
 */
class SeedTrafficTest {
    @TempDir
    static Path dir;
    private static final Map<String, Backend> BACKENDS = new HashMap<>();
    private static ArchwayServer server;
    private static int offset;

    @BeforeAll
    static void start() throws Exception {
        for (String f : List.of("01-basic-gateway", "04-basic-httproute", "05-advanced-matching", "06-canary-split",
                "11-http-to-https-redirect", "12-path-redirect", "13-request-mirror")) {
            Files.copy(SeedExamplesTest.SEEDS.resolve("practical-guide/" + f + ".yaml"), dir.resolve(f + ".yaml"));
        }
        Files.copy(SeedExamplesTest.SEEDS.resolve("overview/09-httpbin-gateway-httproute.yaml"),
                dir.resolve("overview-09.yaml"));
        StringBuilder infra = new StringBuilder();
        for (String[] svc : new String[][] {{"default", "api-service", "8080"}, {"default", "api-v2-service", "8080"},
                {"default", "search-beta-service", "8080"}, {"default", "user-create-service", "8080"},
                {"default", "app-stable", "8080"}, {"default", "app-canary", "8080"}, {"default", "httpbin", "8000"},
                {"default", "production-service", "8080"}, {"default", "test-service", "8080"}}) {
            Backend b = new Backend(svc[1]);
            BACKENDS.put(svc[1], b);
            infra.append(service(svc[0], svc[1], Integer.parseInt(svc[2]), b.port()));
        }
        infra.append(tlsSecret("default", "my-tls-cert", "api.example.com"));
        Files.writeString(dir.resolve("infra.yaml"), infra.toString());
        offset = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.LoopbackPerGateway(), true), offset,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        BACKENDS.values().forEach(Backend::close);
    }

    private static String address(String namespace, String gateway) {
        Gateway g = (Gateway) server.status().list("Gateway", namespace).stream()
                .filter(o -> o.getMetadata().getName().equals(gateway)).findFirst().orElseThrow();
        return g.getStatus().getAddresses().get(0).getValue();
    }

    @Test
    void basicRouteByHostnameAndPrefix() throws IOException {
        Reply r = Reply.send(address("default", "my-gateway"), 80 + offset,
                "GET /api/v1/users HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n");
        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).isEqualTo("api-service");
    }

    @Test
    void advancedMatchingOnHeaderQueryAndMethod() throws IOException {
        String gw = address("default", "my-gateway");
        assertThat(Reply.send(gw, 80 + offset, "GET /api/v2/x HTTP/1.1\r\nHost: h\r\nX-API-Version: 2.0\r\n"
                + "Connection: close\r\n\r\n").body).isEqualTo("api-v2-service");
        assertThat(Reply.send(gw, 80 + offset, "GET /search?version=beta HTTP/1.1\r\nHost: h\r\n"
                + "Connection: close\r\n\r\n").body).isEqualTo("search-beta-service");
        assertThat(Reply.send(gw, 80 + offset, "POST /users HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n").body).isEqualTo("user-create-service");
        // Without the header the /api/v2 rule does not match: the traffic mirror's /api prefix
        // (guide 13) takes it, and the redirect route's "/" takes what is outside /api.
        assertThat(Reply.send(gw, 80 + offset, "GET /api/v2/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                .body).isEqualTo("production-service");
        assertThat(Reply.send(gw, 80 + offset, "GET /apix HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                .status).isEqualTo(301);
    }

    @Test
    void canarySplitsNinetyTen() throws IOException {
        String gw = address("default", "my-gateway");
        int canary = 0;
        for (int i = 0; i < 400; i++) {
            String body = Reply.send(gw, 80 + offset, "GET /app HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").body;
            assertThat(body).isIn("app-stable", "app-canary");
            canary += body.equals("app-canary") ? 1 : 0;
        }
        // Expected 40 of 400; a binomial 99.99 % interval is roughly 19..64.
        assertThat(canary).isBetween(15, 70);
    }

    @Test
    void redirectsFromTheGuide() throws IOException {
        String gw = address("default", "my-gateway");
        Reply toHttps = Reply.send(gw, 80 + offset, "GET /other?q=1 HTTP/1.1\r\nHost: shop.example.com\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(toHttps.status).isEqualTo(301);
        assertThat(toHttps.headers.get("location")).isEqualTo("https://shop.example.com/other?q=1");
        Reply moved = Reply.send(gw, 80 + offset, "GET /old-api HTTP/1.1\r\nHost: shop.example.com\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(moved.status).isEqualTo(301);
        assertThat(moved.headers.get("location")).isEqualTo("http://shop.example.com/new-api");
    }

    @Test
    void httpsListenerTerminatesWithTheSecretsCertificate() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address("default", "my-gateway"),
                443 + offset)) {
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("api.example.com")));
            s.setSSLParameters(params);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=api.example.com");
            Reply r = Reply.exchange(s, "GET /api/v1 HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n");
            assertThat(r.status).isEqualTo(200);
            assertThat(r.body).isEqualTo("api-service");
        }
    }

    /**
     * The guide's traffic mirror (a v1alpha2 HTTPRoute): production-service answers, and
     * test-service gets a copy of each request, body included, exactly once.
     */
    @Test
    void trafficMirrorServesProductionAndCopiesEachRequestToTestServiceOnce() throws Exception {
        String gw = address("default", "my-gateway");
        Backend production = BACKENDS.get("production-service");
        Backend test = BACKENDS.get("test-service");
        Reply post = Reply.send(gw, 80 + offset, "POST /api/orders?id=42 HTTP/1.1\r\nHost: h\r\n"
                + "Content-Length: 11\r\nConnection: close\r\n\r\norder=42&x=");
        assertThat(post.status).isEqualTo(200);
        assertThat(post.body).isEqualTo("production-service");
        Reply get = Reply.send(gw, 80 + offset, "GET /api/health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertThat(get.body).isEqualTo("production-service");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (test.received().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // and no second copy follows
        assertThat(test.received()).containsExactly("POST /api/orders?id=42 order=42&x=", "GET /api/health ");
        assertThat(production.received()).containsExactly("POST /api/orders?id=42 order=42&x=", "GET /api/health ");
    }

    @Test
    void overviewV1beta1GatewayAndCrossNamespaceRoute() throws IOException {
        Reply r = Reply.send(address("istio-ingress", "gateway"), 80 + offset,
                "GET /get HTTP/1.1\r\nHost: httpbin.example.com\r\nConnection: close\r\n\r\n");
        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).isEqualTo("httpbin");
        // The listener is *.example.com: another domain finds no listener.
        assertThat(Reply.send(address("istio-ingress", "gateway"), 80 + offset,
                "GET /get HTTP/1.1\r\nHost: httpbin.example.org\r\nConnection: close\r\n\r\n").status).isEqualTo(404);
    }

    private static String service(String ns, String name, int port, int backendPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  ports: [{name: http, port: %3$d, targetPort: %4$d}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %2$s-1
                  namespace: %1$s
                  labels: {kubernetes.io/service-name: %2$s}
                addressType: IPv4
                ports: [{name: http, port: %4$d}]
                endpoints: [{addresses: [127.0.0.1]}]
                ---
                """.formatted(ns, name, port, backendPort);
    }

    private static String tlsSecret(String ns, String name, String dnsName) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair kp = gen.generateKeyPair();
        X500Name subject = new X500Name("CN=" + dnsName);
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), subject, kp.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: %s}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(name, ns, base64Pem(cert), base64Pem(kp.getPrivate()));
    }

    private static String base64Pem(Object o) throws IOException {
        java.io.StringWriter sw = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return Base64.getEncoder().encodeToString(sw.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** One HTTP/1.1 response read to EOF (the requests say Connection: close). */
    record Reply(int status, Map<String, String> headers, String body) {
        static Reply send(String host, int port, String request) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(5000);
                return exchange(s, request);
            }
        }

        static Reply exchange(Socket s, String request) throws IOException {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            String raw = buf.toString(StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            List<String> head = new ArrayList<>(List.of(raw.substring(0, split).split("\r\n")));
            int status = Integer.parseInt(head.remove(0).split(" ")[1]);
            Map<String, String> headers = new HashMap<>();
            for (String h : head) {
                int c = h.indexOf(':');
                headers.put(h.substring(0, c).trim().toLowerCase(java.util.Locale.ROOT), h.substring(c + 1).trim());
            }
            String body = raw.substring(split + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Reply(status, headers, body);
        }

        private static String dechunk(String body) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (true) {
                int eol = body.indexOf("\r\n", i);
                int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
                if (size == 0) {
                    return sb.toString();
                }
                sb.append(body, eol + 2, eol + 2 + size);
                i = eol + 2 + size + 2;
            }
        }
    }

    /** The test checks the presented certificate itself, so it trusts any chain. */
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
