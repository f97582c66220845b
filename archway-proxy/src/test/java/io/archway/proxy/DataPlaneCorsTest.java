package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.route;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.PathMatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPCORSFilter on real sockets with the JDK's HttpClient: the gateway answers
 * preflights itself and the backend never sees them; actual requests reach the backend and their
 * responses carry the CORS headers for allowed origins only.
 */
class DataPlaneCorsTest {
    private static TestBackend backend;
    private static final HttpFilter.Cors CORS = new HttpFilter.Cors(List.of("https://www.foo.com", "https://*.bar.com"),
            List.of("GET", "PUT"), List.of("x-a", "x-b"), List.of("x-c"), true, 600);
    private DataPlane plane;
    private int port;

    @BeforeAll
    static void backends() {
        backend = new TestBackend("b");
    }

    @AfterAll
    static void stopBackends() {
        backend.close();
    }

    @BeforeEach
    void start() {
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                route("cors", new PathMatch(PathMatch.Type.PATH_PREFIX, "/api"), List.of(
                        new HttpFilter.ResponseHeaderModifier(new HeaderEdits(
                                List.of(new Header("access-control-allow-origin", "https://overwritten.example")),
                                List.of(), List.of())), CORS), backend("b", 1, backend.port())),
                route("moved", new PathMatch(PathMatch.Type.PATH_PREFIX, "/moved"), List.of(CORS,
                        new HttpFilter.RequestRedirect(null, "new.example", null, null, 302))),
                route("plain", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(),
                        backend("b", 1, backend.port())))))));
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    private HttpResponse<String> send(HttpClient.Version version, String method, String path, String... headers)
            throws Exception {
        final HttpClient client = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).headers(headers).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredByTheGateway() throws Exception {
        final int before = backend.requestCount();
        final HttpResponse<String> r = send(HttpClient.Version.HTTP_1_1, "OPTIONS", "/api/items", "Origin",
                "https://xpto.www.bar.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers",
                "x-a");
        assertThat(r.statusCode()).isEqualTo(204);
        final HttpHeaders h = r.headers();
        assertThat(h.firstValue("access-control-allow-origin")).hasValue("https://xpto.www.bar.com");
        assertThat(h.firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(h.firstValue("access-control-allow-methods")).hasValue("GET, PUT");
        assertThat(h.firstValue("access-control-allow-headers")).hasValue("x-a, x-b");
        assertThat(h.firstValue("access-control-expose-headers")).hasValue("x-c");
        assertThat(h.firstValue("access-control-max-age")).hasValue("600");
        assertThat(h.firstValue("content-length")).as("none on a 204").isEmpty();
        assertThat(r.body()).isEmpty();
        assertThat(backend.requestCount()).as("the backend never sees a preflight").isEqualTo(before);
    }

    @Test
    void aPreflightFromAnotherOriginGets204WithoutCorsHeadersAndIsNotProxied() throws Exception {
        final int before = backend.requestCount();
        final HttpResponse<String> r = send(HttpClient.Version.HTTP_1_1, "OPTIONS", "/api", "Origin",
                "https://bar.com", "Access-Control-Request-Method", "GET");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().map().keySet()).noneMatch(n -> n.startsWith("access-control-"));
        assertThat(backend.requestCount()).isEqualTo(before);
    }

    @Test
    void actualRequestsAreProxiedAndGetCorsHeadersForAllowedOriginsOnly() throws Exception {
        final HttpResponse<String> allowed = send(HttpClient.Version.HTTP_1_1, "PUT", "/api/x", "Origin",
                "https://www.foo.com");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("b");
        assertThat(backend.lastRequest().headers().get("origin")).isEqualTo("https://www.foo.com");
        assertThat(allowed.headers().allValues("access-control-allow-origin"))
                .as("the CORS step runs after ResponseHeaderModifier").containsExactly("https://www.foo.com");
        assertThat(allowed.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(allowed.headers().firstValue("access-control-expose-headers")).hasValue("x-c");
        assertThat(allowed.headers().allValues("vary")).contains("Origin");
        assertThat(allowed.headers().firstValue("access-control-allow-methods")).as("preflight only").isEmpty();

        final HttpResponse<String> denied = send(HttpClient.Version.HTTP_1_1, "GET", "/api/x", "Origin",
                "https://foobar.com");
        assertThat(denied.statusCode()).isEqualTo(200);
        assertThat(denied.headers().allValues("access-control-allow-origin"))
                .as("only the ResponseHeaderModifier's value").containsExactly("https://overwritten.example");
        assertThat(denied.headers().firstValue("access-control-allow-credentials")).isEmpty();
        assertThat(denied.headers().allValues("vary")).contains("Origin");

        // An OPTIONS request without Access-Control-Request-Method is not a preflight: proxied.
        final int before = backend.requestCount();
        assertThat(send(HttpClient.Version.HTTP_1_1, "OPTIONS", "/api", "Origin", "https://www.foo.com").body())
                .isEqualTo("b");
        assertThat(backend.requestCount()).isEqualTo(before + 1);
    }

    /** A redirect answered by the gateway on a CORS rule carries the CORS headers, or the browser would not follow it. */
    @Test
    void aRedirectOnACorsRuleCarriesTheCorsHeaders() throws Exception {
        final HttpResponse<String> r = send(HttpClient.Version.HTTP_1_1, "GET", "/moved/x", "Origin",
                "https://www.foo.com");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("location")).hasValue("http://new.example:" + port + "/moved/x");
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("https://www.foo.com");
        assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        final HttpResponse<String> preflight = send(HttpClient.Version.HTTP_1_1, "OPTIONS", "/moved/x", "Origin",
                "https://www.foo.com", "Access-Control-Request-Method", "GET");
        assertThat(preflight.statusCode()).as("the preflight is answered, not redirected").isEqualTo(204);
    }

    @Test
    void aRouteWithoutCorsProxiesPreflights() throws Exception {
        final int before = backend.requestCount();
        final HttpResponse<String> r = send(HttpClient.Version.HTTP_1_1, "OPTIONS", "/other", "Origin",
                "https://www.foo.com", "Access-Control-Request-Method", "GET");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(backend.requestCount()).isEqualTo(before + 1);
    }

    @Test
    void theConnectionStaysUsableAfterAPreflight() throws Exception {
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response preflight = c.send("OPTIONS /api HTTP/1.1\r\nHost: h\r\nOrigin: https://www.foo.com"
                    + "\r\nAccess-Control-Request-Method: GET\r\n\r\n").read();
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.header("access-control-allow-origin")).isEqualTo("https://www.foo.com");
            final RawHttp.Response next = c.send("GET /api HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("b");
            assertThat(next.header("access-control-allow-origin")).isEqualTo("https://overwritten.example");
        }
    }
}
