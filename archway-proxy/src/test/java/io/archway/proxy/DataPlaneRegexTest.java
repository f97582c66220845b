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
import io.archway.snapshot.dispatch.RegularExpression;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RegularExpression matches on a real socket: catastrophic-backtracking patterns against 100 KiB
 * of input in the path, a header and a query parameter are answered promptly, because RE2/J
 * matches in linear time. {@code (a+)+$} is the classic exponential one (JDK 9 and later
 * java.util.regex happens to memoize it); {@code (.*a){3}} is cubic for a backtracking engine on
 * every JDK: 100 KiB of 'a' then '!' would take java.util.regex about 10^15 steps.
 *
 * <p>Every route answers locally with a redirect whose Location names the route, so the test
 * needs no backend that accepts 100 KiB headers.
 */
class DataPlaneRegexTest {
    private static final int KIB_100 = 100 * 1024;
    /** Per request, generous for a loaded CI machine; a backtracking engine would need days. */
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final String EXPONENTIAL = "(a+)+$";
    private static final String CUBIC = "(.*a){3}";

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
                redirecting("path", path("/" + EXPONENTIAL)),
                redirecting("path-cubic", path("/p/" + CUBIC)),
                redirecting("header", header("/h", EXPONENTIAL)),
                redirecting("header-cubic", header("/hc", CUBIC)),
                redirecting("query", query("/q", EXPONENTIAL)),
                redirecting("query-cubic", query("/qc", CUBIC)),
                redirecting("fallback", new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null,
                        List.of(), List.of())))))));
    }

    private static HttpRequestMatch path(String regex) {
        return new HttpRequestMatch(new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, regex), null, List.of(), List.of());
    }

    private static HttpRequestMatch header(String prefix, String regex) {
        return new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, prefix), null,
                List.of(new HeaderMatch("x-input", StringMatchType.REGULAR_EXPRESSION, regex)), List.of());
    }

    private static HttpRequestMatch query(String prefix, String regex) {
        return new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, prefix), null, List.of(),
                List.of(new QueryParamMatch("in", StringMatchType.REGULAR_EXPRESSION, regex)));
    }

    /**
     * The measured requests should see compiled code, not RE2/J's matcher running in the
     * interpreter (seconds on a loaded machine, and still linear); the proxy shares this JVM.
     */
    @BeforeAll
    static void warmUp() {
        final String input = "a".repeat(8 * 1024) + "!";
        for (String regex : List.of(EXPONENTIAL, CUBIC)) {
            final RegularExpression compiled = RegularExpression.compile(regex);
            for (int i = 0; i < 30; i++) {
                compiled.matchesWhole(input);
            }
        }
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
        assertThat(routeFor("/p/" + as + "!", null)).isEqualTo("fallback.example");
        assertThat(routeFor("/p/" + as, null)).isEqualTo("path-cubic.example");
    }

    @Test
    void headerRegexIsLinearInTheLengthOfTheValue() {
        final String as = "a".repeat(KIB_100);
        assertThat(routeFor("/h", as + "b")).isEqualTo("fallback.example");
        assertThat(routeFor("/h", as)).isEqualTo("header.example");
        assertThat(routeFor("/hc", as + "!")).isEqualTo("fallback.example");
        assertThat(routeFor("/hc", as)).isEqualTo("header-cubic.example");
    }

    @Test
    void queryParamRegexIsLinearInTheLengthOfTheValue() {
        final String as = "a".repeat(KIB_100);
        assertThat(routeFor("/q?in=" + as + "b", null)).isEqualTo("fallback.example");
        assertThat(routeFor("/q?in=" + as, null)).isEqualTo("query.example");
        assertThat(routeFor("/qc?in=" + as + "!", null)).isEqualTo("fallback.example");
        assertThat(routeFor("/qc?in=" + as, null)).isEqualTo("query-cubic.example");
    }
}
