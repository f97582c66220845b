package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.route;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.archway.proxy.testing.Ports;
import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.StringMatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RegularExpression matches on a real socket: a catastrophic-backtracking pattern ({@code (a+)+$},
 * about 2^n steps for java.util.regex on n 'a's then 'b') against 100 KiB of input in the path, a
 * header and a query parameter is answered promptly, because RE2/J matches in linear time.
 *
 * <p>Every route answers locally with a redirect whose Location names the route, so the test
 * needs no backend that accepts 100 KiB headers.
 */
class DataPlaneRegexTest {
    private static final int KIB_100 = 100 * 1024;
    /** Per request; java.util.regex would need far longer than the age of the universe. */
    private static final Duration DEADLINE = Duration.ofSeconds(3);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        // Request line and headers big enough for 100 KiB of path or header value.
        plane = new DataPlane(new ProxyConfig(0, 1, 256 * 1024, 256 * 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ZERO));
        port = Ports.free();
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                redirecting("path", new HttpRequestMatch(new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, "/(a+)+$"),
                        null, List.of(), List.of())),
                redirecting("header", new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/h"), null,
                        List.of(new HeaderMatch("x-input", StringMatchType.REGULAR_EXPRESSION, "(a+)+$")), List.of())),
                redirecting("query", new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/q"), null,
                        List.of(), List.of(new QueryParamMatch("in", StringMatchType.REGULAR_EXPRESSION, "(a+)+$")))),
                redirecting("fallback", new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null,
                        List.of(), List.of())))))));
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    private static HttpRouteEntry redirecting(String name, HttpRequestMatch match) {
        return route(name, match, List.of(new HttpFilter.RequestRedirect(null, name + ".example",
                new PathModifier(PathModifier.Type.REPLACE_FULL_PATH, "/"), null, 302)));
    }

    /** The route that answered, by the host of its redirect. */
    private String routeFor(String path, String header) {
        return assertTimeoutPreemptively(DEADLINE, () -> {
            final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(DEADLINE);
            if (header != null) {
                request.header("x-input", header);
            }
            final HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(302);
            return URI.create(response.headers().firstValue("location").orElseThrow()).getHost();
        }, "answered within " + DEADLINE);
    }

    @Test
    void pathRegexIsLinearInTheLengthOfThePath() {
        final String as = "a".repeat(KIB_100);
        assertThat(routeFor("/" + as + "b", null)).isEqualTo("fallback.example");
        assertThat(routeFor("/" + as, null)).isEqualTo("path.example");
    }

    @Test
    void headerRegexIsLinearInTheLengthOfTheValue() {
        final String as = "a".repeat(KIB_100);
        assertThat(routeFor("/h", as + "b")).isEqualTo("fallback.example");
        assertThat(routeFor("/h", as)).isEqualTo("header.example");
    }

    @Test
    void queryParamRegexIsLinearInTheLengthOfTheValue() {
        final String as = "a".repeat(KIB_100);
        assertThat(routeFor("/q?in=" + as + "b", null)).isEqualTo("fallback.example");
        assertThat(routeFor("/q?in=" + as, null)).isEqualTo("query.example");
    }
}
