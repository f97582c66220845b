package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EchoServerTest {
    private static EchoServer echo;
    private static int port;
    private static final EchoServer.Pod POD = new EchoServer.Pod("gateway-conformance-infra",
            "infra-backend-v1-6b8d9f7c5d-x7k2p", "infra-backend-v1", "127.1.250.1");

    @BeforeAll
    static void start() throws Exception {
        echo = new EchoServer();
        port = echo.listen(POD, 0).getPort();
    }

    @AfterAll
    static void stop() {
        echo.close();
    }

    private static HttpProbe.Response get(String path, Map<String, String> headers, String host) throws Exception {
        return HttpProbe.send(new HttpProbe.Request("http", POD.ip(), port, "GET", host, path, headers, "", null, null,
                Duration.ofSeconds(5)));
    }

    @Test
    void echoesTheRequestAsJson() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-custom", "a");
        headers.put("X-Echo-Set-Header", "");
        HttpProbe.Response res = get("/foo/bar?x=1&y=2", headers, "example.com");
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.firstHeader("content-type")).isEqualTo("application/json");
        JsonNode body = Json.parse(res.bodyText());
        assertThat(body.path("path").asText()).isEqualTo("/foo/bar?x=1&y=2");
        assertThat(body.path("host").asText()).isEqualTo("example.com");
        assertThat(body.path("method").asText()).isEqualTo("GET");
        assertThat(body.path("proto").asText()).isEqualTo("HTTP/1.1");
        assertThat(body.path("namespace").asText()).isEqualTo("gateway-conformance-infra");
        assertThat(body.path("pod").asText()).isEqualTo(POD.name());
        assertThat(body.path("service").asText()).isEqualTo("infra-backend-v1");
        assertThat(body.path("httpPort").asText()).isEqualTo(String.valueOf(port));
        assertThat(body.path("headers").path("X-Custom").get(0).asText()).isEqualTo("a");
        assertThat(body.path("headers").has("Host")).isFalse();
        ExpectationChecker.Captured c = ExpectationChecker.Captured.parse(body);
        assertThat(c.headers()).containsKey("User-Agent");
    }

    @Test
    void setsResponseHeadersOnRequest() throws Exception {
        HttpProbe.Response res = get("/", Map.of("X-Echo-Set-Header", "X-Header-Set:set-overwrites-values,X-Two: v2"),
                "h");
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("X-Header-Set")).containsExactly("set-overwrites-values");
        assertThat(res.header("x-two")).containsExactly("v2");
    }

    @Test
    void statusPaths() throws Exception {
        assertThat(get("/status/503", Map.of(), "h").status()).isEqualTo(503);
        assertThat(get("/status/abc", Map.of(), "h").status()).isEqualTo(400);
        HttpProbe.Response health = get("/health", Map.of(), "h");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.bodyText()).isEqualTo("OK");
    }

    @Test
    void manyConcurrentConnectionsWithoutKeepAlive() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                results.add(pool.submit(() -> get("/r" + n, Map.of(), "h").status()));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void canonicalHeaderNamesLikeGo() {
        assertThat(EchoServer.canonicalHeaderName("x-echo-set-header")).isEqualTo("X-Echo-Set-Header");
        assertThat(EchoServer.canonicalHeaderName("USER-agent")).isEqualTo("User-Agent");
        assertThat(EchoServer.parseDurationMillis("1.5s")).isEqualTo(1500);
        assertThat(EchoServer.parseDurationMillis("10ms")).isEqualTo(10);
    }

    /** Sends {@code head} as is on a fresh connection and reads the answer as the probe does. */
    private static HttpProbe.Response raw(String head) throws Exception {
        try (java.net.Socket s = new java.net.Socket(POD.ip(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return HttpProbe.read(s.getInputStream(), false, System.nanoTime() + 5_000_000_000L);
        }
    }

    @Test
    void refusesWhatGoNetHttpRefusesAboutHost() throws Exception {
        HttpProbe.Response none = raw("GET /x HTTP/1.1\r\nUser-Agent: t\r\n\r\n");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.bodyText()).isEqualTo("400 Bad Request: missing required Host header");
        assertThat(none.firstHeader("Connection")).isEqualTo("close");
        HttpProbe.Response two = raw("GET /x HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
        assertThat(two.status()).isEqualTo(400);
        HttpProbe.Response differing = raw("GET /x HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n");
        assertThat(differing.status()).isEqualTo(400);
        HttpProbe.Response malformed = raw("GET /x HTTP/1.1\r\nHost: a b\r\n\r\n");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.bodyText()).isEqualTo("400 Bad Request: malformed Host header");
        assertThat(raw("GET /x HTTP/1.1\r\nHost: a/b\r\n\r\n").status()).isEqualTo(400);
        // HTTP/1.0 needs no Host; a valid one with a port and an IPv6 literal are fine
        assertThat(raw("GET /x HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        assertThat(raw("GET /x HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
        assertThat(raw("GET /x HTTP/1.1\r\nHost: x.example.com:80\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void refusesARequestItCannotParse() throws Exception {
        assertThat(raw("GET /x HTTP/1.1\r\nHost: a\r\nBad Header: v\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").status())
                .isEqualTo(400);
    }

    @Test
    void serveMuxCleansPathsWithA301() throws Exception {
        HttpProbe.Response dot = get("/a/./b/../c?q=1", Map.of(), "h");
        assertThat(dot.status()).isEqualTo(301);
        assertThat(dot.firstHeader("Location")).isEqualTo("/a/c?q=1");
        assertThat(get("/a/..", Map.of(), "h").firstHeader("Location")).isEqualTo("/");
        assertThat(get("/a/b/.", Map.of(), "h").firstHeader("Location")).isEqualTo("/a/b");
        HttpProbe.Response status = get("/status", Map.of(), "h");
        assertThat(status.status()).isEqualTo(301);
        assertThat(status.firstHeader("Location")).isEqualTo("/status/");
        // preserveSlashes folds "//" before the mux looks: echoed as sent, no redirect
        HttpProbe.Response slashes = get("/a//b/", Map.of(), "h");
        assertThat(slashes.status()).isEqualTo(200);
        assertThat(Json.parse(slashes.bodyText()).path("path").asText()).isEqualTo("/a//b/");
        assertThat(GoServerRules.cleanPath("/../x/")).isEqualTo("/x/");
        assertThat(GoServerRules.cleanPath("")).isEqualTo("/");
    }

    @Test
    void retrySimulationRefusesTheFirstAttempts() throws Exception {
        String uuid = java.util.UUID.randomUUID().toString();
        assertThat(get("/retry/?uuid=" + uuid + "&succeedAfter=2&responseCode=503", Map.of(), "h").status()).isEqualTo(503);
        assertThat(get("/retry/?uuid=" + uuid + "&succeedAfter=2&responseCode=503", Map.of(), "h").status()).isEqualTo(503);
        assertThat(get("/retry/?uuid=" + uuid + "&succeedAfter=2&responseCode=503", Map.of(), "h").status()).isEqualTo(200);
        String reset = java.util.UUID.randomUUID().toString();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> get("/retry/?uuid=" + reset + "&succeedAfter=1", Map.of(), "h"))
                .isInstanceOf(java.io.IOException.class);
        assertThat(get("/retry/?uuid=" + reset + "&succeedAfter=1", Map.of(), "h").status()).isEqualTo(200);
        assertThat(get("/retry/?succeedAfter=1", Map.of(), "h").status()).isEqualTo(400);
    }

    @Test
    void tlsListenerEchoesTheConnectionsTlsState() throws Exception {
        Certificates certs = new Certificates(true);
        var issued = certs.selfSignedSecret("ns", "s", List.of("echo.example.com"));
        io.netty.handler.ssl.SslContext server = io.netty.handler.ssl.SslContextBuilder
                .forServer(issued.key(), issued.certificate()).build();
        int tlsPort = echo.listen(POD, 0, server).getPort();
        HttpProbe.Request req = new HttpProbe.Request("https", POD.ip(), tlsPort, "GET", "echo.example.com", "/t",
                Map.of(), "", "echo.example.com", HttpProbe.trusting(List.of(issued.certificate())),
                Duration.ofSeconds(5));
        JsonNode tls = Json.parse(HttpProbe.send(req).bodyText()).path("tls");
        assertThat(tls.path("version").asText()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(tls.path("serverName").asText()).isEqualTo("echo.example.com");
        assertThat(tls.path("cipherSuite").asText()).startsWith("TLS_");
        assertThat(tls.has("negotiatedProtocol")).as("the probe offers no ALPN").isFalse();
        assertThat(tls.has("peerCertificates")).as("no client certificate").isFalse();
        HttpProbe.Request h11 = new HttpProbe.Request(req.scheme(), req.ip(), req.connectPort(), req.method(), req.host(),
                req.path(), req.headers(), req.body(), req.serverName(), req.tls(), req.timeout(), List.of("http/1.1"));
        {
            io.netty.handler.ssl.SslContext alpn = io.netty.handler.ssl.SslContextBuilder
                    .forServer(issued.key(), issued.certificate())
                    .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            "http/1.1")).build();
            int alpnPort = echo.listen(POD, 0, alpn).getPort();
            HttpProbe.Request offered = new HttpProbe.Request(h11.scheme(), h11.ip(), alpnPort, h11.method(), h11.host(),
                    h11.path(), h11.headers(), h11.body(), h11.serverName(), h11.tls(), h11.timeout(), h11.alpn());
            assertThat(Json.parse(HttpProbe.send(offered).bodyText()).path("tls").path("negotiatedProtocol").asText())
                    .isEqualTo("http/1.1");
        }
        assertThat(Json.parse(get("/plain", Map.of(), "h").bodyText()).has("tls")).isFalse();
    }
}
