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
}
