package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.https;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.H2cClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.proxy.testing.TestCertificates;
import io.netty.handler.codec.http.HttpMethod;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Downstream HTTP/2: h2c with prior knowledge on cleartext ports, h2 by ALPN over TLS. */
class DataPlaneHttp2Test {
    private TestBackend backend;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        backend = new TestBackend("h1");
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
        backend.close();
    }

    @Test
    void servesH2cPriorKnowledgeAndHttp11OnTheSamePort() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null,
                vhost("a.test", prefix("a", "/", backend("h1", 1, backend.port())))))));
        try (H2cClient client = new H2cClient(port)) {
            assertThat(client.send(HttpMethod.GET, "/x?y=1", "a.test", "")).isEqualTo("200 h1");
            assertThat(backend.lastRequest().headers().get("host")).isEqualTo("a.test");
            assertThat(backend.lastRequest().uri()).isEqualTo("/x?y=1");
            assertThat(backend.lastRequest().headers().names()).noneMatch(n -> n.startsWith("x-http2"));
            // Cookie crumbs (one field per cookie on the wire) are one field for HTTP/1.1 (RFC 9113 8.2.3).
            assertThat(client.send(HttpMethod.GET, "/c", "a.test", "", new io.netty.handler.codec.http
                    .DefaultHttpHeaders().add("cookie", "a=1; b=2"))).isEqualTo("200 h1");
            assertThat(backend.lastRequest().headers().getAll("cookie")).containsExactly("a=1; b=2");
            // A body on a stream is streamed like an HTTP/1.1 body; echoed back by the backend.
            assertThat(client.send(HttpMethod.POST, "/echo", "a.test", "ping")).isEqualTo("200 ping");
            // Several streams on one connection, and routing misses answered per stream.
            assertThat(client.send(HttpMethod.GET, "/", "nowhere.test", "")).startsWith("404");
            assertThat(client.send(HttpMethod.GET, "/", "a.test", "")).isEqualTo("200 h1");
        }
        try (RawHttp h1 = RawHttp.connect(port)) {
            assertThat(h1.send("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n").read().body()).isEqualTo("h1");
        }
    }

    @Test
    void negotiatesH2OverTlsWithAlpn() throws Exception {
        plane.apply(snapshot(1, https(port, listener("l", null, List.of(TestCertificates.selfSigned("a.test", false)),
                vhost("*", prefix("a", "/", backend("h1", 1, backend.port())))))));
        final SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new TrustAll()}, null);
        final HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).build();
        final HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/h2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("h1");
        assertThat(backend.lastRequest().headers().get("x-forwarded-proto")).isEqualTo("https");
        final HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/h2"))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200_000))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(post.body()).hasSize(200_000);
    }

    /** Trusts anything and skips hostname checks (an X509ExtendedTrustManager is not wrapped). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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
