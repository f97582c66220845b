package io.archway.translate.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.StringMatchType;
import io.archway.translate.golden.SpecCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HTTPRoute rule compilation (phase 3) and the routing table (phase 6), rule by rule. */
class RouteCompileRulesTest {

    /** {@code default/gw} with one HTTP listener and the HTTPRoute {@code default/r} with {@code rules}. */
    private static SpecCase rules(String rules) {
        return SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                """ + rules.stripIndent().indent(2));
    }

    private static List<HttpRouteEntry> entries(SpecCase c) {
        return ((io.archway.snapshot.HttpPort) c.translation().snapshot().ports().get(0).kind()).listeners().get(0).virtualHosts().get(0).routes();
    }

    private static String accepted(SpecCase c) {
        return c.routeParentConditions("default/r", 0).get("Accepted");
    }

    /** HTTPPathMatch: type defaults to PathPrefix and value to "/". */
    @Test
    void pathMatchDefaultsArePathPrefixAndSlash() {
        final SpecCase c = rules("""
                - matches: [{path: {value: /foo}}, {path: {type: Exact}}]
                """);
        assertThat(entries(c)).extracting(e -> e.match().path()).containsExactly(
                new PathMatch(PathMatch.Type.EXACT, "/"), new PathMatch(PathMatch.Type.PATH_PREFIX, "/foo"));
    }

    /** A RegularExpression path the data plane cannot compile is an unsupported value: Accepted=False. */
    @Test
    void anInvalidPathRegexIsUnsupportedValue() {
        final SpecCase c = rules("""
                - matches: [{path: {type: RegularExpression, value: '/a(b'}}]
                """);
        assertThat(accepted(c)).isEqualTo("False/UnsupportedValue");
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("path regular expression /a(b is not "
                + "valid RE2 syntax: error parsing regexp: missing closing ): `/a(b`"));
    }

    /**
     * The dialect is RE2 (HTTPHeaderMatch.type: "Please read the implementation's documentation to
     * determine the supported dialect"): lookaround and backreferences, which need backtracking,
     * and counted repetitions nested past what RE2 compiles in bounded memory are unsupported.
     */
    @Test
    void patternsOutsideRe2AreUnsupportedValues() {
        for (String regex : new String[] {"/a(?!b)", "(a)\\1", "((a{1000}){1000}){1000}"}) {
            final SpecCase c = rules("""
                    - matches: [{headers: [{type: RegularExpression, name: x, value: '%s'}]}]
                    """.formatted(regex));
            assertThat(accepted(c)).as(regex).isEqualTo("False/UnsupportedValue");
            assertThat(c.diagnostics()).as(regex).anySatisfy(d -> assertThat(d).contains("is not valid RE2 syntax"));
        }
    }

    /** HTTPHeaderMatch.type and HTTPQueryParamMatch.type default to Exact; writing Exact is the same. */
    @Test
    void headerAndQueryMatchTypeExactMayBeExplicit() {
        final SpecCase c = rules("""
                - matches:
                  - headers: [{type: Exact, name: x, value: '1'}, {name: y, value: '2'}]
                    queryParams: [{type: Exact, name: q, value: '3'}, {type: RegularExpression, name: r, value: 'a.*'}]
                """);
        assertThat(accepted(c)).isEqualTo("True/Accepted");
        assertThat(entries(c).get(0).match().headers()).allSatisfy(h ->
                assertThat(h.type()).isEqualTo(StringMatchType.EXACT));
        assertThat(entries(c).get(0).match().queryParams()).extracting(q -> q.type())
                .containsExactly(StringMatchType.EXACT, StringMatchType.REGULAR_EXPRESSION);
    }

    /** HTTPQueryParamMatch.value is required: a query match without one is an unsupported value. */
    @Test
    void aQueryParamMatchWithoutValueIsUnsupportedValue() {
        final SpecCase c = rules("""
                - matches: [{queryParams: [{name: q}]}]
                """);
        assertThat(accepted(c)).isEqualTo("False/UnsupportedValue");
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).endsWith("query parameter match needs a name and a value"));
    }

    /**
     * HTTPRouteRule sessionPersistence (extended) is not served: it is ignored with a warning, and
     * the route stays Accepted.
     */
    @Test
    void sessionPersistenceIsIgnoredWithAWarning() {
        final SpecCase c = rules("- sessionPersistence: {sessionName: s}\n");
        assertThat(accepted(c)).isEqualTo("True/Accepted");
        assertThat(c.diagnostics()).containsExactly("spec-case.yaml:13: warning: HTTPRoute default/r "
                + "spec.rules[0]: sessionPersistence is not supported and is ignored");
    }

    /**
     * HTTPRouteTimeouts: Gateway API durations, "0s" disables; the CRD's rule "backendRequest
     * timeout cannot be longer than request timeout" (unless request is 0s) is an UnsupportedValue.
     */
    @Test
    void timeoutsCompileAndBackendRequestMayNotExceedRequest() {
        final SpecCase ok = rules("- timeouts: {request: 1h2m3s, backendRequest: 250ms}\n");
        assertThat(accepted(ok)).isEqualTo("True/Accepted");
        assertThat(entries(ok).get(0).timeouts()).isEqualTo(new io.archway.snapshot.RouteTimeouts(
                java.time.Duration.ofSeconds(3723), java.time.Duration.ofMillis(250)));
        final SpecCase disabled = rules("- timeouts: {request: 0s, backendRequest: 2s}\n");
        assertThat(accepted(disabled)).isEqualTo("True/Accepted");
        for (String bad : List.of("{request: 1s, backendRequest: 1001ms}", "{request: 1.5s}", "{request: 10}",
                "{backendRequest: 123456s}", "{request: 1h1h1h1h1h}")) {
            final SpecCase c = rules("- timeouts: " + bad + "\n");
            assertThat(accepted(c)).as(bad).isEqualTo("False/UnsupportedValue");
        }
    }

    /** HTTPRouteRetry: codes 400-599, attempts at least 1; unset attempts and backoff get our defaults. */
    @Test
    void retryCompilesWithDefaultsAndRejectsOutOfRangeValues() {
        final SpecCase c = rules("- retry: {codes: [503, 500, 503]}\n");
        assertThat(accepted(c)).isEqualTo("True/Accepted");
        assertThat(entries(c).get(0).retry()).isEqualTo(new io.archway.snapshot.RetryPolicy(List.of(500, 503),
                RulePolicyCompiler.DEFAULT_RETRY_ATTEMPTS, RulePolicyCompiler.DEFAULT_RETRY_BACKOFF));
        assertThat(entries(rules("- backendRefs: [{name: echo, port: 80}]\n")).get(0).retry()).isNull();
        for (String bad : List.of("{codes: [399]}", "{codes: [600]}", "{attempts: 0}", "{backoff: 1.5s}")) {
            assertThat(accepted(rules("- retry: " + bad + "\n"))).as(bad).isEqualTo("False/UnsupportedValue");
        }
    }

    /**
     * HTTPRequestMirrorFilter: RequestMirror may repeat in a rule; percent is n/100, fraction's
     * denominator defaults to 100, neither is everything; percent with fraction, or a share above
     * 1, is an UnsupportedValue; a mirror whose backendRef does not resolve is dropped and sets
     * ResolvedRefs=False while the route stays Accepted.
     */
    @Test
    void requestMirrorsCompileAndAnUnresolvedMirrorIsDropped() {
        final SpecCase c = rules("""
                - filters:
                  - {type: RequestMirror, requestMirror: {backendRef: {name: echo, port: 80}}}
                  - {type: RequestMirror, requestMirror: {backendRef: {name: echo, port: 80}, percent: 20}}
                  - {type: RequestMirror, requestMirror: {backendRef: {name: echo, port: 80}, fraction: {numerator: 3}}}
                  - {type: RequestMirror, requestMirror: {backendRef: {name: nope, port: 80}}}
                  backendRefs: [{name: echo, port: 80}]
                """);
        assertThat(accepted(c)).isEqualTo("True/Accepted");
        assertThat(entries(c).get(0).filters()).extracting(f -> {
            final io.archway.snapshot.HttpFilter.RequestMirror m = (io.archway.snapshot.HttpFilter.RequestMirror) f;
            return m.backend().origin().name() + " " + m.numerator() + "/" + m.denominator();
        }).containsExactly("echo 1/1", "echo 20/100", "echo 3/100");
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("RequestMirror: Service default/nope does not exist"));
        assertThat(c.routeParentConditions("default/r", 0).get("ResolvedRefs")).isEqualTo("False/BackendNotFound");
        for (String bad : List.of("percent: 10, fraction: {numerator: 1}", "percent: 101",
                "fraction: {numerator: 3, denominator: 2}", "fraction: {numerator: 1, denominator: 0}")) {
            final SpecCase b = rules("- filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo, port: 80}, "
                    + bad + "}}]\n");
            assertThat(accepted(b)).as(bad).isEqualTo("False/UnsupportedValue");
        }
    }

    /**
     * HTTPPathModifier.replacePrefixMatch: "ReplacePrefixMatch is only compatible with a
     * PathPrefix HTTPRouteMatch", whether the filter is on the rule, in a RequestRedirect, or on a
     * backendRef.
     */
    @Test
    void replacePrefixMatchNeedsPathPrefixMatches() {
        final String exact = "- matches: [{path: {type: Exact, value: /a}}]\n";
        final SpecCase redirect = rules(exact + """
                  filters:
                  - type: RequestRedirect
                    requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}
                """);
        assertThat(accepted(redirect)).isEqualTo("False/UnsupportedValue");
        final SpecCase onBackend = rules(exact + """
                  backendRefs:
                  - name: echo
                    port: 80
                    filters:
                    - type: URLRewrite
                      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}
                """);
        assertThat(accepted(onBackend)).isEqualTo("False/UnsupportedValue");
        assertThat(onBackend.diagnostics()).anySatisfy(d -> assertThat(d).endsWith(
                "ReplacePrefixMatch requires PathPrefix matches"));
        final SpecCase prefix = rules("""
                - matches: [{path: {type: PathPrefix, value: /a}}]
                  filters:
                  - type: RequestRedirect
                    requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}
                """);
        assertThat(accepted(prefix)).isEqualTo("True/Accepted");
    }

    /** Explicit nulls read as absent lists (as the API server would drop them): filters, backendRefs, remove. */
    @Test
    void explicitNullListsAreAbsent() {
        final SpecCase c = rules("""
                - filters: ~
                  backendRefs: ~
                - matches: [{path: {value: /h}}]
                  filters:
                  - type: ResponseHeaderModifier
                    responseHeaderModifier: {set: [{name: a, value: b}], remove: ~}
                  backendRefs: [{name: echo, port: 80, filters: ~}]
                """);
        assertThat(accepted(c)).isEqualTo("True/Accepted");
        assertThat(entries(c)).hasSize(2);
        assertThat(entries(c).get(0).backends()).hasSize(1);
        assertThat(entries(c).get(1).backends()).isEmpty();
    }

    /**
     * Listeners of one socket with equally specific hostnames are ordered by origin
     * (namespace/gateway/listener), so the snapshot does not depend on the order listeners are written in.
     */
    @Test
    void equallySpecificListenersAreOrderedByOrigin() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - {name: b, port: 80, protocol: HTTP, hostname: b.example.com}
                  - {name: a, port: 80, protocol: HTTP, hostname: a.example.com}
                  - {name: c, port: 80, protocol: HTTP, hostname: long.example.com}
                """);
        assertThat(c.servedListeners()).extracting(ListenerEntry::hostname)
                .containsExactly("long.example.com", "a.example.com", "b.example.com");
    }
}
