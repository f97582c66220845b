package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.StringMatchType;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestMatcherTest {
    private static RequestMatcher path(PathMatch.Type type, String value) {
        return new RequestMatcher(new HttpRequestMatch(new PathMatch(type, value), null, List.of(), List.of()));
    }

    private static RequestView get(String uri, HttpHeaders headers) {
        return new RequestView("GET", uri, "h", headers);
    }

    private static RequestView get(String uri) {
        return get(uri, new DefaultHttpHeaders());
    }

    @ParameterizedTest
    @CsvSource({
        "/foo, /foo, true", "/foo, /foo/, true", "/foo, /foo/bar, true", "/foo, /foobar, false",
        "/foo/, /foo, true", "/foo/, /foo/bar, true", "/foo/, /foobar, false", "/, /anything, true",
        "/, /, true", "/foo, /fo, false", "/foo, /foo?x=1, true", "/foo, /FOO, false",
    })
    void pathPrefixMatchesWholeElements(String prefix, String uri, boolean expected) {
        assertThat(path(PathMatch.Type.PATH_PREFIX, prefix).matches(get(uri))).isEqualTo(expected);
    }

    @Test
    void exactAndRegexPaths() {
        assertThat(path(PathMatch.Type.EXACT, "/a").matches(get("/a?q"))).isTrue();
        assertThat(path(PathMatch.Type.EXACT, "/a").matches(get("/a/"))).isFalse();
        assertThat(path(PathMatch.Type.REGULAR_EXPRESSION, "/v[0-9]+/.*").matches(get("/v12/x"))).isTrue();
        assertThat(path(PathMatch.Type.REGULAR_EXPRESSION, "/v[0-9]+/.*").matches(get("/x/v12/x"))).isFalse();
        // An invalid expression never matches rather than failing the snapshot.
        assertThat(path(PathMatch.Type.REGULAR_EXPRESSION, "([").matches(get("/(["))).isFalse();
    }

    @Test
    void methodHeadersAndQueryParams() {
        final RequestMatcher m = new RequestMatcher(new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"),
                "GET",
                List.of(new HeaderMatch("X-Version", StringMatchType.EXACT, "2"),
                        new HeaderMatch("x-env", StringMatchType.REGULAR_EXPRESSION, "canary|beta")),
                List.of(new QueryParamMatch("user", StringMatchType.EXACT, "Bob"))));
        final HttpHeaders h = new DefaultHttpHeaders().add("x-version", "2").add("X-ENV", "beta");
        assertThat(m.matches(get("/p?user=Bob", h))).isTrue();
        // Query parameter names compare exactly (case-sensitive).
        assertThat(m.matches(get("/p?USER=Bob", h))).isFalse();
        // With a repeated parameter, the first value counts.
        assertThat(m.matches(get("/p?user=Alice&user=Bob", h))).isFalse();
        assertThat(m.matches(new RequestView("POST", "/p?user=Bob", "h", h))).isFalse();
        assertThat(m.matches(get("/p?user=Bob", new DefaultHttpHeaders().add("x-version", "2")))).isFalse();
    }

    @Test
    void headerWithSeveralValuesMatchesAnyValueOrTheJoinedValue() {
        final RequestMatcher m = new RequestMatcher(new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"),
                null, List.of(new HeaderMatch("x-a", StringMatchType.EXACT, "2")), List.of()));
        assertThat(m.matches(get("/", new DefaultHttpHeaders().add("x-a", "1").add("x-a", "2")))).isTrue();
        final RequestMatcher joined = new RequestMatcher(new HttpRequestMatch(
                new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null,
                List.of(new HeaderMatch("x-a", StringMatchType.EXACT, "1,2")), List.of()));
        assertThat(joined.matches(get("/", new DefaultHttpHeaders().add("x-a", "1").add("x-a", "2")))).isTrue();
        assertThat(joined.matches(get("/", new DefaultHttpHeaders().add("x-a", "1")))).isFalse();
    }
}
