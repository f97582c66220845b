package io.archway.translate.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.dispatch.CompiledMatch;
import io.archway.snapshot.dispatch.SimpleRequest;
import io.archway.translate.ResourceKey;
import io.archway.translate.golden.SpecCase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GRPCRoute: rules into HTTP/2 POST route entries, precedence, status, and its hostname rule beside HTTPRoute. */
class GrpcRouteRulesTest {
    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: default}
            spec:
              gatewayClassName: archway
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: svc, namespace: default}
            spec: {ports: [{port: 8080}]}
            ---
            """;

    private static SpecCase route(String rules) {
        return SpecCase.of(GATEWAY + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: g, namespace: default}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                """ + rules.stripIndent().indent(2));
    }

    private static List<VirtualHost> vhosts(SpecCase c) {
        return c.servedListeners().get(0).virtualHosts();
    }

    private static List<HttpRouteEntry> entries(SpecCase c) {
        return vhosts(c).get(0).routes();
    }

    private static Map<String, String> parent(SpecCase c, String kind, String nn) {
        final String[] parts = nn.split("/");
        final List<RouteParentStatus> parents = c.translation().status().routes()
                .get(new ResourceKey(kind, parts[0], parts[1]));
        final Map<String, String> out = new LinkedHashMap<>();
        for (Condition cond : parents.get(0).getConditions()) {
            out.put(cond.getType(), cond.getStatus() + "/" + cond.getReason());
        }
        return out;
    }

    private static boolean matches(HttpRouteEntry e, String path, Map<String, String> headers) {
        return new CompiledMatch(e.match()).matches(SimpleRequest.of("POST", path, "example.com", headers));
    }

    /** GRPCMethodMatch: Exact service and method is the path /service/method, POST only. */
    @Test
    void exactServiceAndMethodIsAnExactPostPath() {
        final SpecCase c = route("""
                - matches: [{method: {service: pkg.Svc, method: Get}}]
                  backendRefs: [{name: svc, port: 8080}]
                """);
        final HttpRouteEntry e = entries(c).get(0);
        assertThat(e.match().path()).isEqualTo(new PathMatch(PathMatch.Type.EXACT, "/pkg.Svc/Get"));
        assertThat(e.match().method()).isEqualTo("POST");
        assertThat(e.origin().kind()).isEqualTo("GRPCRoute");
        assertThat(e.backends().get(0).protocol()).as("GRPCRoute implies h2c").isEqualTo(AppProtocol.H2C);
        assertThat(parent(c, "GRPCRoute", "default/g")).containsEntry("Accepted", "True/Accepted")
                .containsEntry("ResolvedRefs", "True/ResolvedRefs");
    }

    /** Exact with only a service or only a method matches that path segment exactly, any other. */
    @Test
    void exactServiceOnlyOrMethodOnlyMatchOneSegment() {
        final SpecCase c = route("""
                - matches: [{method: {service: pkg.Svc}}, {method: {method: Get}}]
                  backendRefs: [{name: svc, port: 8080}]
                """);
        final HttpRouteEntry service = entries(c).stream().filter(e -> e.origin().matchIndex() == 0).findFirst().get();
        final HttpRouteEntry method = entries(c).stream().filter(e -> e.origin().matchIndex() == 1).findFirst().get();
        assertThat(matches(service, "/pkg.Svc/Any", Map.of())).isTrue();
        assertThat(matches(service, "/pkgXSvc/Any", Map.of())).as("the dot is literal").isFalse();
        assertThat(matches(service, "/pkg.Svc/a/b", Map.of())).isFalse();
        assertThat(matches(method, "/other.Svc/Get", Map.of())).isTrue();
        assertThat(matches(method, "/other.Svc/GetMore", Map.of())).isFalse();
    }

    /** RegularExpression matches each segment as a whole; alternation stays inside its segment. */
    @Test
    void regularExpressionsAreAnchoredPerSegment() {
        final SpecCase c = route("""
                - matches: [{method: {type: RegularExpression, service: 'pkg\\.(A|B)', method: 'Get|Put'}}]
                  backendRefs: [{name: svc, port: 8080}]
                """);
        final HttpRouteEntry e = entries(c).get(0);
        assertThat(matches(e, "/pkg.A/Get", Map.of())).isTrue();
        assertThat(matches(e, "/pkg.B/Put", Map.of())).isTrue();
        assertThat(matches(e, "/pkg.C/Get", Map.of())).isFalse();
        assertThat(matches(e, "/pkg.A/Delete", Map.of())).isFalse();
    }

    /** An invalid method regular expression is an unsupported value. */
    @Test
    void anInvalidRegexIsUnsupportedValue() {
        final SpecCase c = route("""
                - matches: [{method: {type: RegularExpression, service: 'a(b'}}]
                """);
        assertThat(parent(c, "GRPCRoute", "default/g")).containsEntry("Accepted", "False/UnsupportedValue");
    }

    /**
     * Precedence (GRPCRouteRule.matches): the most characters in a matching service, then method,
     * then header matches, then rule order.
     */
    @Test
    void precedenceCountsServiceThenMethodThenHeaders() {
        final SpecCase c = route("""
                - matches: [{}]
                - matches: [{method: {method: LongerMethodName}}]
                - matches: [{method: {service: a.B, method: M}}]
                - matches: [{method: {service: a.Bcd}}]
                - matches: [{method: {service: a.B, method: M}, headers: [{name: v, value: '2'}]}]
                """);
        assertThat(entries(c)).extracting(e -> e.origin().ruleIndex()).containsExactly(3, 4, 2, 1, 0);
    }

    /** RequestHeaderModifier and ResponseHeaderModifier are served; RequestMirror is not (yet). */
    @Test
    void headerModifiersAreServedAndMirrorIsUnsupported() {
        final SpecCase c = route("""
                - filters:
                  - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}
                  - {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [x]}}
                  backendRefs: [{name: svc, port: 8080}]
                """);
        assertThat(entries(c).get(0).filters()).hasSize(2).first().isInstanceOf(HttpFilter.RequestHeaderModifier.class);
        final SpecCase mirror = route("""
                - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: svc, port: 8080}}}]
                  backendRefs: [{name: svc, port: 8080}]
                """);
        assertThat(parent(mirror, "GRPCRoute", "default/g")).containsEntry("Accepted", "False/UnsupportedValue");
    }

    /** HTTP listeners list GRPCRoute among their supportedKinds by default. */
    @Test
    void httpListenersSupportGrpcRoute() {
        final SpecCase c = route("- backendRefs: [{name: svc, port: 8080}]\n");
        assertThat(c.listener("default/gw", "http").getSupportedKinds()).extracting(k -> k.getKind())
                .containsExactly("HTTPRoute", "GRPCRoute");
        assertThat(c.listener("default/gw", "http").getAttachedRoutes()).isEqualTo(1);
    }

    /**
     * GRPCRouteSpec.hostnames: an HTTPRoute and a GRPCRoute sharing a hostname on a listener: the
     * older one is accepted, the other is not (and is not served there); disjoint hostnames coexist.
     */
    @Test
    void httpRouteAndGrpcRouteDoNotShareAHostnameOnAListener() {
        final SpecCase c = SpecCase.of(GATEWAY + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: h, namespace: default, creationTimestamp: '2026-01-02T00:00:00Z'}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: ['*.example.com']
                  rules: [{backendRefs: [{name: svc, port: 8080}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: older, namespace: default, creationTimestamp: '2026-01-01T00:00:00Z'}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [grpc.example.com]
                  rules: [{backendRefs: [{name: svc, port: 8080}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: apart, namespace: default, creationTimestamp: '2026-01-03T00:00:00Z'}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [grpc.example.org]
                  rules: [{backendRefs: [{name: svc, port: 8080}]}]
                """);
        assertThat(parent(c, "GRPCRoute", "default/older")).containsEntry("Accepted", "True/Accepted");
        assertThat(parent(c, "GRPCRoute", "default/apart")).containsEntry("Accepted", "True/Accepted");
        assertThat(parent(c, "HTTPRoute", "default/h")).containsEntry("Accepted", "False/NotAllowedByListeners");
        assertThat(vhosts(c)).extracting(VirtualHost::hostname).containsExactly("grpc.example.com", "grpc.example.org");
        assertThat(c.listener("default/gw", "http").getAttachedRoutes()).isEqualTo(2);
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("is served by GRPCRoute default/older"));
    }
}
