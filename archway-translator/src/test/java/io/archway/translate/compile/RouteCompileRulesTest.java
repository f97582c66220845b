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
     * HTTPRouteRule timeouts, retry and sessionPersistence (extended) are not served: each is
     * ignored with a warning, and the route stays Accepted.
     */
    @Test
    void unsupportedExtendedRuleFieldsAreIgnoredWithAWarning() {
        for (String field : List.of("timeouts: {request: 10s}", "retry: {attempts: 2}",
                "sessionPersistence: {sessionName: s}")) {
            final SpecCase c = rules("- " + field + "\n");
            assertThat(accepted(c)).as(field).isEqualTo("True/Accepted");
            assertThat(c.diagnostics()).as(field).containsExactly("spec-case.yaml:13: warning: HTTPRoute default/r "
                    + "spec.rules[0]: timeouts, retry and sessionPersistence are not supported and are ignored");
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
