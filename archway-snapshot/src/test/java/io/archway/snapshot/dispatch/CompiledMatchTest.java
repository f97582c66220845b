package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.StringMatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conditions of one HTTPRouteMatch (HTTPPathMatch, method, HTTPHeaderMatch,
 * HTTPQueryParamMatch): all must hold, and the first that does not is the one explain reports.
 */
class CompiledMatchTest {
    private static final PathMatch ROOT = new PathMatch(PathMatch.Type.PATH_PREFIX, "/");

    private static CompiledMatch path(PathMatch.Type type, String value) {
        return new CompiledMatch(new HttpRequestMatch(new PathMatch(type, value), null, List.of(), List.of()));
    }

    private static CompiledMatch headers(HeaderMatch... headers) {
        return new CompiledMatch(new HttpRequestMatch(ROOT, null, List.of(headers), List.of()));
    }

    private static HeaderMatch exact(String name, String value) {
        return new HeaderMatch(name, StringMatchType.EXACT, value);
    }

    private static SimpleRequest get(String uri) {
        return SimpleRequest.of("GET", uri, "h", Map.of());
    }

    private static SimpleRequest withHeaders(Map<String, List<String>> headers) {
        return new SimpleRequest("GET", "/", "h", headers);
    }

    @Test
    void exactPathMatchesTheWholePathOnly() {
        final CompiledMatch m = path(PathMatch.Type.EXACT, "/foo");
        assertThat(m.matchesPath("/foo")).isTrue();
        assertThat(m.matchesPath("/foo/")).isFalse();
        assertThat(m.matchesPath("/foo/bar")).isFalse();
        assertThat(m.matchesPath("/fo")).isFalse();
        assertThat(m.matchedPrefix()).as("ReplacePrefixMatch needs a PathPrefix").isNull();
    }

    /** HTTPPathModifier / PathPrefix: "/abc", "/abc/" and "/abc/def" match prefix "/abc", "/abcd" does not. */
    @Test
    void pathPrefixMatchesWholePathElementsAndIgnoresATrailingSlash() {
        for (String prefix : List.of("/abc", "/abc/")) {
            final CompiledMatch m = path(PathMatch.Type.PATH_PREFIX, prefix);
            assertThat(m.matchesPath("/abc")).as(prefix).isTrue();
            assertThat(m.matchesPath("/abc/")).as(prefix).isTrue();
            assertThat(m.matchesPath("/abc/def")).as(prefix).isTrue();
            assertThat(m.matchesPath("/abcd")).as(prefix).isFalse();
            assertThat(m.matchesPath("/ab")).as(prefix).isFalse();
            assertThat(m.matchesPath("/x/abc")).as(prefix).isFalse();
            assertThat(m.matchedPrefix()).isEqualTo("/abc");
        }
        final CompiledMatch root = path(PathMatch.Type.PATH_PREFIX, "/");
        assertThat(root.matchesPath("/")).isTrue();
        assertThat(root.matchesPath("/anything/at/all")).isTrue();
        assertThat(root.matchedPrefix()).isEmpty();
        assertThat(CompiledMatch.stripTrailingSlashes("/a//")).isEqualTo("/a");
        assertThat(CompiledMatch.stripTrailingSlashes("///")).isEmpty();
    }

    /** RegularExpression paths are implementation-specific; Archway uses RE2 syntax, anchored at both ends. */
    @Test
    void regularExpressionPathMustMatchTheWholePath() {
        final CompiledMatch m = path(PathMatch.Type.REGULAR_EXPRESSION, "/v[0-9]+/.*");
        assertThat(m.matchesPath("/v2/users")).isTrue();
        assertThat(m.matchesPath("/v2")).isFalse();
        assertThat(m.matchesPath("/api/v2/users")).as("no partial match").isFalse();
        assertThat(m.matchedPrefix()).isNull();
        assertThat(m.matches(get("/v10/x?q=1"))).as("the query string is not part of the path").isTrue();
    }

    @Test
    void methodMustBeEqualWhenSetAndAnyMethodMatchesWhenNot() {
        final CompiledMatch post = new CompiledMatch(new HttpRequestMatch(ROOT, "POST", List.of(), List.of()));
        assertThat(post.matches(SimpleRequest.of("post", "/", "h", Map.of()))).isTrue();
        assertThat(post.firstFailure(get("/"))).isEqualTo(CompiledMatch.METHOD);
        assertThat(post.describeFailure(CompiledMatch.METHOD, get("/"))).isEqualTo("method GET is not POST");
        final CompiledMatch any = path(PathMatch.Type.PATH_PREFIX, "/");
        assertThat(any.matches(SimpleRequest.of("DELETE", "/", "h", Map.of()))).isTrue();
    }

    /** HTTPHeaderMatch: names compare case-insensitively, values exactly; an absent header never matches. */
    @Test
    void headerNameIsCaseInsensitiveValueIsExactAndAbsentHeaderFails() {
        final CompiledMatch m = headers(exact("X-Env", "Canary"));
        assertThat(m.matches(withHeaders(Map.of("x-ENV", List.of("Canary"))))).isTrue();
        assertThat(m.matches(withHeaders(Map.of("X-Env", List.of("canary"))))).as("values are case-sensitive")
                .isFalse();
        assertThat(m.matches(withHeaders(Map.of()))).isFalse();
        assertThat(m.matches(withHeaders(Map.of("X-Env", List.of())))).isFalse();
        assertThat(m.firstFailure(withHeaders(Map.of()))).isEqualTo(CompiledMatch.HEADER_BASE);
        assertThat(m.describeFailure(CompiledMatch.HEADER_BASE, withHeaders(Map.of())))
                .isEqualTo("header X-Env = Canary: the request has no X-Env header");
    }

    /** RFC 9110 section 5.3: repeated field lines may be read one by one or joined with ","; both views match. */
    @Test
    void repeatedHeaderMatchesByAnySingleValueOrByTheJoinedValue() {
        final Map<String, List<String>> twoLines = Map.of("X-A", List.of("1", "2"));
        assertThat(headers(exact("x-a", "2")).matches(withHeaders(twoLines))).isTrue();
        assertThat(headers(exact("x-a", "1,2")).matches(withHeaders(twoLines))).isTrue();
        assertThat(headers(exact("x-a", "3")).matches(withHeaders(twoLines))).isFalse();
        final CompiledMatch regex = headers(new HeaderMatch("x-a", StringMatchType.REGULAR_EXPRESSION, "[0-9]"));
        assertThat(regex.matches(withHeaders(Map.of("x-a", List.of("a", "7"))))).isTrue();
        assertThat(regex.matches(withHeaders(Map.of("x-a", List.of("a", "b"))))).isFalse();
        assertThat(regex.describeFailure(CompiledMatch.HEADER_BASE, withHeaders(Map.of("x-a", List.of("a", "b")))))
                .isEqualTo("header x-a ~ [0-9]: the request has x-a: a, b");
    }

    @Test
    void everyHeaderConditionMustHold() {
        final CompiledMatch m = headers(exact("a", "1"), exact("b", "2"));
        assertThat(m.matches(withHeaders(Map.of("a", List.of("1"), "b", List.of("2"))))).isTrue();
        assertThat(m.firstFailure(withHeaders(Map.of("a", List.of("1"))))).isEqualTo(CompiledMatch.HEADER_BASE + 1);
        assertThat(m.firstFailure(withHeaders(Map.of("b", List.of("2"))))).isEqualTo(CompiledMatch.HEADER_BASE);
    }

    /**
     * HTTPQueryParamMatch: names compare exactly (case-sensitive), the first occurrence of a repeated
     * parameter is the one that counts, and an absent parameter never matches.
     */
    @Test
    void queryParamNameIsExactFirstOccurrenceCountsAndAbsentFails() {
        final CompiledMatch m = new CompiledMatch(new HttpRequestMatch(ROOT, null, List.of(),
                List.of(new QueryParamMatch("v", StringMatchType.EXACT, "2"))));
        assertThat(m.matches(get("/?v=2"))).isTrue();
        assertThat(m.matches(get("/?V=2"))).isFalse();
        assertThat(m.matches(get("/?v=1&v=2"))).isFalse();
        assertThat(m.matches(get("/?v"))).isFalse();
        assertThat(m.firstFailure(get("/"))).isEqualTo(CompiledMatch.HEADER_BASE);
        assertThat(m.describeFailure(CompiledMatch.HEADER_BASE, get("/")))
                .isEqualTo("query parameter v = 2: the request has no v parameter");
        assertThat(m.describeFailure(CompiledMatch.HEADER_BASE, get("/?v=1")))
                .isEqualTo("query parameter v = 2: the request has v=1");
    }

    @Test
    void failureCodesFollowTheOrderMethodPathHeadersQueryParams() {
        final CompiledMatch m = new CompiledMatch(new HttpRequestMatch(new PathMatch(PathMatch.Type.EXACT, "/p"),
                "GET", List.of(exact("h1", "x"), exact("h2", "y")),
                List.of(new QueryParamMatch("q1", StringMatchType.EXACT, "a"),
                        new QueryParamMatch("q2", StringMatchType.REGULAR_EXPRESSION, "b+"))));
        final Map<String, String> both = Map.of("h1", "x", "h2", "y");
        assertThat(m.firstFailure(SimpleRequest.of("PUT", "/x", "h", Map.of()))).isEqualTo(CompiledMatch.METHOD);
        assertThat(m.firstFailure(SimpleRequest.of("GET", "/x", "h", Map.of()))).isEqualTo(CompiledMatch.PATH);
        assertThat(m.firstFailure(SimpleRequest.of("GET", "/p", "h", Map.of("h1", "x"))))
                .isEqualTo(CompiledMatch.HEADER_BASE + 1);
        // query parameter j fails with HEADER_BASE + number of headers + j
        assertThat(m.firstFailure(SimpleRequest.of("GET", "/p", "h", both))).isEqualTo(CompiledMatch.HEADER_BASE + 2);
        assertThat(m.firstFailure(SimpleRequest.of("GET", "/p?q1=a", "h", both)))
                .isEqualTo(CompiledMatch.HEADER_BASE + 3);
        assertThat(m.describeFailure(CompiledMatch.HEADER_BASE + 3, SimpleRequest.of("GET", "/p?q1=a&q2=c", "h", both)))
                .isEqualTo("query parameter q2 ~ b+: the request has q2=c");
        final SimpleRequest ok = SimpleRequest.of("GET", "/p?q2=bbb&q1=a", "h", both);
        assertThat(m.firstFailure(ok)).isEqualTo(CompiledMatch.MATCH);
        assertThat(m.describeFailure(CompiledMatch.MATCH, ok)).isEqualTo("all conditions hold");
        assertThat(m.describeFailure(CompiledMatch.PATH, get("/x"))).isEqualTo("path /x does not match Exact /p");
    }

    /** Regular expressions are implementation-specific: one that does not compile makes its match never match. */
    @Test
    void aRegularExpressionThatDoesNotCompileNeverMatches() {
        final SimpleRequest anything = SimpleRequest.of("GET", "/?q=1", "h", Map.of("h", "1"));
        final CompiledMatch badHeader = new CompiledMatch(new HttpRequestMatch(ROOT, null,
                List.of(new HeaderMatch("h", StringMatchType.REGULAR_EXPRESSION, "(")), List.of()));
        final CompiledMatch badQuery = new CompiledMatch(new HttpRequestMatch(ROOT, null, List.of(),
                List.of(new QueryParamMatch("q", StringMatchType.REGULAR_EXPRESSION, "["))));
        final CompiledMatch goodThenBad = new CompiledMatch(new HttpRequestMatch(ROOT, null,
                List.of(exact("h", "1")),
                List.of(new QueryParamMatch("q", StringMatchType.EXACT, "1"),
                        new QueryParamMatch("r", StringMatchType.REGULAR_EXPRESSION, "*"))));
        for (CompiledMatch m : List.of(badHeader, badQuery, goodThenBad)) {
            assertThat(m.firstFailure(anything)).as(m.toString()).isEqualTo(CompiledMatch.INVALID);
            assertThat(m.matches(anything)).isFalse();
        }
        assertThat(badHeader.describeFailure(CompiledMatch.INVALID, anything))
                .isEqualTo("a regular expression of this match does not compile: it never matches");
    }

    @Test
    void describesTheMatchInWords() {
        final HttpRequestMatch full = new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/foo/"), "GET",
                List.of(exact("x", "1"), new HeaderMatch("y", StringMatchType.REGULAR_EXPRESSION, "a.*")),
                List.of(new QueryParamMatch("a", StringMatchType.REGULAR_EXPRESSION, "b.*"),
                        new QueryParamMatch("c", StringMatchType.EXACT, "d")));
        final CompiledMatch m = new CompiledMatch(full);
        assertThat(m.match()).isSameAs(full);
        assertThat(m).hasToString("PathPrefix /foo/, method GET, header x = 1, header y ~ a.*, query a ~ b.*, query c = d");
        assertThat(m.describePath()).as("as written, trailing slash kept").isEqualTo("PathPrefix /foo/");
        assertThat(path(PathMatch.Type.EXACT, "/e")).hasToString("Exact /e");
        assertThat(path(PathMatch.Type.EXACT, "/e").describePath()).isEqualTo("Exact /e");
        assertThat(path(PathMatch.Type.REGULAR_EXPRESSION, "/r.*")).hasToString("RegularExpression /r.*");
        assertThat(path(PathMatch.Type.REGULAR_EXPRESSION, "/r.*").describePath()).isEqualTo("RegularExpression /r.*");
    }
}
