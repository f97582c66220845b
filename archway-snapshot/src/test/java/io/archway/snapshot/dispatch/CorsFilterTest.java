package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTPCORSFilter: the preflight answer and the headers of actual responses. */
class CorsFilterTest {
    private static final CorsFilter LISTS = new CorsFilter(new HttpFilter.Cors(
            List.of("https://www.foo.com", "https://*.bar.com"), List.of("GET", "OPTIONS"),
            List.of("x-header-1", "x-header-2"), List.of("x-header-3", "x-header-4"), true, 3600));

    private static CorsFilter wildcards(boolean credentials) {
        return new CorsFilter(new HttpFilter.Cors(List.of("*"), List.of("*"), List.of("*"), List.of("*"), credentials,
                CorsFilter.DEFAULT_MAX_AGE));
    }

    private static Map<String, String> map(List<Header> headers) {
        final Map<String, String> m = new LinkedHashMap<>();
        headers.forEach(h -> m.put(h.name(), h.value()));
        return m;
    }

    @Test
    void aPreflightIsAnOptionsRequestWithOriginAndRequestMethod() {
        assertThat(CorsFilter.isPreflight("OPTIONS", "https://a.com", "GET")).isTrue();
        assertThat(CorsFilter.isPreflight("OPTIONS", null, "GET")).isFalse();
        assertThat(CorsFilter.isPreflight("OPTIONS", "https://a.com", null)).isFalse();
        assertThat(CorsFilter.isPreflight("GET", "https://a.com", "GET")).isFalse();
    }

    @Test
    void readsThePreflightFromTheRequestHeaders() {
        final SimpleRequest preflight = new SimpleRequest("OPTIONS", "/", "h", Map.of("Origin",
                List.of("https://www.foo.com"), "Access-Control-Request-Method", List.of("GET"),
                "access-control-request-headers", List.of("x-header-1", "x-header-2")));
        assertThat(CorsFilter.isPreflight(preflight)).isTrue();
        assertThat(CorsFilter.origin(preflight)).isEqualTo("https://www.foo.com");
        assertThat(map(wildcards(true).preflightHeaders(preflight)))
                .containsEntry("access-control-allow-headers", "x-header-1, x-header-2")
                .containsEntry("access-control-allow-methods", "GET");
        final SimpleRequest get = new SimpleRequest("GET", "/", "h", Map.of("Origin", List.of("https://www.foo.com"),
                "Access-Control-Request-Method", List.of("GET")));
        assertThat(CorsFilter.isPreflight(get)).isFalse();
        assertThat(CorsFilter.origin(new SimpleRequest("GET", "/", "h", Map.of()))).isNull();
    }

    @Test
    void anAllowedPreflightGetsEveryConfiguredList() {
        assertThat(map(LISTS.preflightHeaders("https://xpto.www.bar.com", "GET", "x-header-1"))).containsExactly(
                Map.entry("access-control-allow-origin", "https://xpto.www.bar.com"),
                Map.entry("access-control-allow-credentials", "true"),
                Map.entry("access-control-allow-methods", "GET, OPTIONS"),
                Map.entry("access-control-allow-headers", "x-header-1, x-header-2"),
                Map.entry("access-control-expose-headers", "x-header-3, x-header-4"),
                Map.entry("access-control-max-age", "3600"));
    }

    /** "If the request Origin does not match ... the gateway returns 204/200 response but doesn't set the relevant cross-origin response headers." */
    @Test
    void aPreflightFromAnotherOriginGetsNoCorsHeaders() {
        assertThat(LISTS.preflightHeaders("https://foobar.com", "GET", null)).isEmpty();
        assertThat(LISTS.allows("https://foobar.com")).isFalse();
        assertThat(LISTS.allows("https://www.foo.com")).isTrue();
    }

    /** With allowCredentials true, the gateway "must not return *": it echoes the origin, method and header names. */
    @Test
    void wildcardsEchoTheRequestWithCredentials() {
        final Map<String, String> h = map(wildcards(true).preflightHeaders("https://other.foo.com", "PUT",
                " x-header-1, x-header-2 "));
        assertThat(h).containsEntry("access-control-allow-origin", "https://other.foo.com")
                .containsEntry("access-control-allow-methods", "PUT")
                .containsEntry("access-control-allow-headers", "x-header-1, x-header-2")
                .containsEntry("access-control-allow-credentials", "true")
                .containsEntry("access-control-max-age", "5")
                .doesNotContainKey("access-control-expose-headers");
        assertThat(h.values()).doesNotContain("*");
    }

    @Test
    void withoutCredentialsNoAllowCredentialsHeaderAndExposeWildcardIsKept() {
        final Map<String, String> h = map(wildcards(false).preflightHeaders("https://foobar.com:12345", "PUT", null));
        assertThat(h).containsEntry("access-control-allow-origin", "https://foobar.com:12345")
                .containsEntry("access-control-allow-methods", "PUT")
                .containsEntry("access-control-expose-headers", "*")
                .doesNotContainKey("access-control-allow-credentials")
                .as("no Access-Control-Request-Headers: no Access-Control-Allow-Headers")
                .doesNotContainKey("access-control-allow-headers");
    }

    @Test
    void unsetListsSendNoHeader() {
        final CorsFilter originsOnly = new CorsFilter(new HttpFilter.Cors(List.of("https://a.com"), List.of(),
                List.of(), List.of(), false, 5));
        assertThat(map(originsOnly.preflightHeaders("https://a.com", "DELETE", "x-a"))).containsOnlyKeys(
                "access-control-allow-origin", "access-control-max-age");
    }

    @Test
    void actualResponsesFromAnAllowedOriginGetOriginCredentialsAndExposedHeaders() {
        final HeaderEdits allowed = LISTS.responseEdits("https://www.foo.com");
        assertThat(map(allowed.set())).containsExactly(
                Map.entry("access-control-allow-origin", "https://www.foo.com"),
                Map.entry("access-control-allow-credentials", "true"),
                Map.entry("access-control-expose-headers", "x-header-3, x-header-4"));
        assertThat(allowed.add()).containsExactly(new Header("vary", "Origin"));
        assertThat(allowed.remove()).isEmpty();
        for (String other : new String[] {"https://foobar.com", null}) {
            final HeaderEdits denied = LISTS.responseEdits(other);
            assertThat(denied.set()).isEmpty();
            assertThat(denied.add()).as("a cache must not serve one origin's answer to another")
                    .containsExactly(new Header("vary", "Origin"));
        }
    }

    @Test
    void describesItself() {
        assertThat(LISTS).hasToString("CORS allowOrigins [https://www.foo.com, https://*.bar.com] allowMethods "
                + "[GET, OPTIONS] allowHeaders [x-header-1, x-header-2] exposeHeaders [x-header-3, x-header-4] "
                + "allowCredentials maxAge 3600");
    }
}
