package io.archway.translate.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.golden.SpecCase;
import org.junit.jupiter.api.Test;

/**
 * {@code archway explain route}: the per-parentRef, per-listener account of an HTTPRoute's
 * attachment, with the reasons the translator reports (HTTPRoute parentRefs, Listener
 * allowedRoutes, hostnames).
 */
class RouteExplainerTest {
    static final String WORLD = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: theirs}
            spec: {controllerName: example.com/other}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: other, namespace: default}
            spec:
              gatewayClassName: theirs
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: apps, labels: {team: a}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: default}
            spec:
              gatewayClassName: archway
              listeners:
              - {name: same, port: 80, protocol: HTTP, hostname: same.example.com}
              - {name: all, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}
              - name: selected
                port: 8080
                protocol: HTTP
                allowedRoutes:
                  namespaces:
                    from: Selector
                    selector:
                      matchLabels: {team: a}
                      matchExpressions: [{key: env, operator: DoesNotExist}, {key: team, operator: In, values: [a, b]}]
              - {name: grpc-only, port: 9090, protocol: HTTP, allowedRoutes: {kinds: [{kind: GRPCRoute}], namespaces: {from: All}}}
              - {name: tcp, port: 7000, protocol: TCP}
              - {name: other-host, port: 80, protocol: HTTP, hostname: other.net, allowedRoutes: {namespaces: {from: All}}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: apps}
            spec:
              hostnames: [a.example.com]
              parentRefs:
              - {name: gw, namespace: default}
              - {name: gw, namespace: default, sectionName: all}
              - {name: gw, namespace: default, port: 8080}
              - {name: other, namespace: default}
              - {name: missing, namespace: default}
              - {kind: Service, name: mesh}
              rules:
              - backendRefs: [{name: echo, namespace: default, port: 80}, {name: nope, port: 80}]
            """;

    private static RouteExplanation explain(SpecCase c, String namespace, String name) {
        return new RouteExplainer(c.options()).explain(c.view(), namespace, name).orElseThrow();
    }

    private static RouteExplanation.ListenerCheck check(RouteExplanation.Parent p, String listener) {
        return p.listeners().stream().filter(l -> l.name().equals(listener)).findFirst().orElseThrow();
    }

    @Test
    void anUnknownRouteHasNoExplanation() {
        final SpecCase c = SpecCase.of(WORLD);
        assertThat(new RouteExplainer(c.options()).explain(c.view(), "apps", "nope")).isEmpty();
        assertThat(new RouteExplainer(c.options()).explain(c.view(), "default", "r")).isEmpty();
    }

    /**
     * Each listener of a parent Gateway is checked in the translator's order: allowedRoutes.kinds,
     * listener state, allowedRoutes.namespaces, then hostname intersection; each refusal carries
     * the reason that listener alone gives (NotAllowedByListeners, NoMatchingParent, NoMatchingListenerHostname).
     */
    @Test
    void everyListenerSaysWhyItTakesTheRouteOrNot() {
        final RouteExplanation e = explain(SpecCase.of(WORLD), "apps", "r");
        assertThat(e.hostnames()).containsExactly("a.example.com");
        final RouteExplanation.Parent p = e.parents().get(0);
        assertThat(p.parentRef()).isEqualTo("Gateway default/gw");
        assertThat(p.gateway()).isEqualTo("default/gw");
        assertThat(p.ours()).isTrue();
        assertThat(p.accepted()).isEqualTo("True");
        assertThat(p.reason()).isEqualTo("Accepted");
        assertThat(p.message()).isEqualTo("route is accepted");
        assertThat(p.resolvedRefs()).isEqualTo("RefNotPermitted");
        assertThat(p.resolvedRefsMessage())
                .isEqualTo("Service default/echo is in another namespace and no ReferenceGrant allows it");
        assertThat(p.listeners()).extracting(RouteExplanation.ListenerCheck::name)
                .containsExactly("same", "all", "selected", "grpc-only", "tcp", "other-host");

        assertThat(check(p, "same")).satisfies(l -> {
            assertThat(l.attached()).isFalse();
            assertThat(l.reason()).isEqualTo("NotAllowedByListeners");
            assertThat(l.why()).containsExactly("allowedRoutes.namespaces.from Same: Gateway namespace default,"
                    + " route namespace apps: not allowed");
            assertThat(l.effectiveHostnames()).isEmpty();
        });
        assertThat(check(p, "all")).satisfies(l -> {
            assertThat(l.attached()).isTrue();
            assertThat(l.reason()).isEqualTo("Accepted");
            assertThat(l.port()).isEqualTo(80);
            assertThat(l.protocol()).isEqualTo("HTTP");
            assertThat(l.hostname()).isEqualTo("*.example.com");
            assertThat(l.why()).containsExactly("allowedRoutes.namespaces.from All: allowed",
                    "listener hostname *.example.com x route hostnames a.example.com = a.example.com");
            assertThat(l.effectiveHostnames()).containsExactly("a.example.com");
        });
        assertThat(check(p, "selected")).satisfies(l -> {
            assertThat(l.attached()).isTrue();
            assertThat(l.why()).containsExactly("allowedRoutes.namespaces.from Selector {team=a, env DoesNotExist [],"
                    + " team In [a, b]} vs labels of namespace apps {kubernetes.io/metadata.name=apps, team=a}: allowed",
                    "listener hostname (any) x route hostnames a.example.com = a.example.com");
        });
        assertThat(check(p, "grpc-only")).satisfies(l -> {
            assertThat(l.attached()).isFalse();
            assertThat(l.reason()).isEqualTo("NotAllowedByListeners");
            assertThat(l.why()).containsExactly("allowedRoutes.kinds [GRPCRoute] does not include HTTPRoute");
        });
        assertThat(check(p, "tcp")).satisfies(l -> {
            // a TCP listener takes TCPRoutes only (its supportedKinds)
            assertThat(l.protocol()).isEqualTo("TCP");
            assertThat(l.reason()).isEqualTo("NotAllowedByListeners");
            assertThat(l.why()).containsExactly("allowedRoutes.kinds [TCPRoute] does not include HTTPRoute");
        });
        assertThat(check(p, "other-host")).satisfies(l -> {
            assertThat(l.reason()).isEqualTo("NoMatchingListenerHostname");
            assertThat(l.why()).containsExactly("allowedRoutes.namespaces.from All: allowed",
                    "listener hostname other.net does not intersect route hostnames a.example.com");
        });
    }

    /** ParentReference.sectionName and port narrow the listeners: the others are NoMatchingParent. */
    @Test
    void sectionNameAndPortNarrowTheListeners() {
        final RouteExplanation e = explain(SpecCase.of(WORLD), "apps", "r");
        final RouteExplanation.Parent bySection = e.parents().get(1);
        assertThat(bySection.parentRef()).isEqualTo("Gateway default/gw sectionName all");
        assertThat(bySection.accepted()).isEqualTo("True");
        assertThat(bySection.listeners()).filteredOn(RouteExplanation.ListenerCheck::attached)
                .extracting(RouteExplanation.ListenerCheck::name).containsExactly("all");
        assertThat(check(bySection, "same").why()).containsExactly("sectionName all does not name this listener");
        assertThat(check(bySection, "same").reason()).isEqualTo("NoMatchingParent");

        final RouteExplanation.Parent byPort = e.parents().get(2);
        assertThat(byPort.parentRef()).isEqualTo("Gateway default/gw port 8080");
        assertThat(byPort.listeners()).filteredOn(RouteExplanation.ListenerCheck::attached)
                .extracting(RouteExplanation.ListenerCheck::name).containsExactly("selected");
        assertThat(check(byPort, "grpc-only").why()).containsExactly("parentRef port 8080 is not the listener port 9090");
        assertThat(check(byPort, "grpc-only").reason()).isEqualTo("NoMatchingParent");
    }

    /** parentRefs we write no status for: another controller's Gateway, a missing Gateway, a non-Gateway parent. */
    @Test
    void parentsThatAreNotOursSayWhy() {
        final RouteExplanation e = explain(SpecCase.of(WORLD), "apps", "r");
        assertThat(e.parents().get(3)).satisfies(p -> {
            assertThat(p.ours()).isFalse();
            assertThat(p.gateway()).isEqualTo("default/other");
            assertThat(p.accepted()).isNull();
            assertThat(p.message()).isEqualTo("Gateway default/other is not served by us (its GatewayClass belongs to"
                    + " another controller): we write no status for this parent");
            assertThat(p.listeners()).isEmpty();
        });
        assertThat(e.parents().get(4).message()).isEqualTo("Gateway default/missing does not exist");
        assertThat(e.parents().get(4).ours()).isFalse();
        assertThat(e.parents().get(5)).satisfies(p -> {
            assertThat(p.parentRef()).isEqualTo("Service apps/mesh");
            assertThat(p.gateway()).isNull();
            assertThat(p.ours()).isFalse();
            assertThat(p.message()).isEqualTo("not a Gateway or ListenerSet parent: ignored");
        });
    }

    /**
     * A ListenerSet parent is explained over the set's own listeners; a Gateway parentRef whose
     * sectionName names a set's listener finds none of the Gateway's; a set the Gateway does not
     * allow refuses the route as the translator does (NoMatchingParent).
     */
    @Test
    void listenerSetParents() {
        final RouteExplanation e = explain(SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  allowedListeners: {namespaces: {from: Same}}
                  listeners: [{name: main, port: 80, protocol: HTTP, hostname: main.example.com}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: team, namespace: default}
                spec:
                  parentRef: {name: gw}
                  listeners:
                  - {name: app, port: 80, protocol: HTTP, hostname: app.example.com}
                  - {name: admin, port: 8080, protocol: HTTP}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: elsewhere}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: refused, namespace: elsewhere}
                spec:
                  parentRef: {name: gw, namespace: default}
                  listeners: [{name: app, port: 80, protocol: HTTP, hostname: refused.example.com}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs:
                  - {kind: ListenerSet, name: team, sectionName: app}
                  - {name: gw, sectionName: app}
                  - {kind: ListenerSet, name: refused, namespace: elsewhere}
                  rules:
                  - backendRefs: [{name: echo, port: 80}]
                """), "default", "r");
        assertThat(e.parents().get(0)).satisfies(p -> {
            assertThat(p.parentRef()).isEqualTo("ListenerSet default/team sectionName app");
            assertThat(p.gateway()).isEqualTo("default/gw");
            assertThat(p.accepted()).isEqualTo("True");
            assertThat(p.listeners()).extracting(RouteExplanation.ListenerCheck::name).containsExactly("app", "admin");
            assertThat(check(p, "app").attached()).isTrue();
            assertThat(check(p, "app").effectiveHostnames()).containsExactly("app.example.com");
            assertThat(check(p, "admin").why()).containsExactly("sectionName app does not name this listener");
        });
        assertThat(e.parents().get(1)).satisfies(p -> {
            assertThat(p.listeners()).extracting(RouteExplanation.ListenerCheck::name).containsExactly("main");
            assertThat(p.accepted()).isEqualTo("False");
            assertThat(p.reason()).isEqualTo("NoMatchingParent");
        });
        assertThat(e.parents().get(2)).satisfies(p -> {
            assertThat(p.ours()).isTrue();
            assertThat(p.accepted()).isEqualTo("False");
            assertThat(p.reason()).isEqualTo("NoMatchingParent");
            assertThat(p.message()).isEqualTo("ListenerSet elsewhere/refused is not accepted");
            assertThat(p.listeners()).isEmpty();
        });
    }

    /** Each backendRef resolves as the translator resolves it, and the route's diagnostics are listed. */
    @Test
    void backendsAndProblems() {
        final RouteExplanation e = explain(SpecCase.of(WORLD), "apps", "r");
        assertThat(e.backends()).extracting(b -> b.rule() + "/" + b.index() + " " + b.ref() + " w" + b.weight() + " "
                + b.resolved() + " " + b.reason() + " " + b.readyEndpoints()).containsExactly(
                "0/0 Service default/echo:80 w1 false RefNotPermitted 0",
                "0/1 Service apps/nope:80 w1 false BackendNotFound 0");
        assertThat(e.backends().get(1).message()).isEqualTo("Service apps/nope does not exist");
        assertThat(e.problems()).containsExactly(
                "WARNING spec.parentRefs[4]: Gateway default/missing does not exist",
                "ERROR spec.rules[0].backendRefs[0]: Service default/echo is in another namespace and no"
                        + " ReferenceGrant allows it",
                "ERROR spec.rules[0].backendRefs[1]: Service apps/nope does not exist");
    }

    /**
     * A route in a namespace without a Namespace object, on a Selector listener without selector,
     * with no hostnames, and a resolved backend; and a route on a Gateway that is not accepted.
     */
    @Test
    void selectorWithoutSelectorUnknownNamespaceAndPendingGateway() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: broken}
                spec:
                  controllerName: archway.io/gateway-controller
                  parametersRef: {group: '', kind: ConfigMap, name: missing, namespace: default}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: pending, namespace: default}
                spec:
                  gatewayClassName: broken
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - {name: sel, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector}}}
                  - {name: same, port: 81, protocol: HTTP}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: ghost}
                spec:
                  parentRefs: [{name: gw, namespace: default}, {name: pending, namespace: default}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: ok, namespace: default}
                spec:
                  parentRefs: [{name: gw, sectionName: same}]
                  rules: [{backendRefs: [{name: echo, port: 80, weight: 3}]}]
                """);
        final RouteExplanation e = explain(c, "ghost", "r");
        assertThat(e.hostnames()).isEmpty();
        final RouteExplanation.Parent gw = e.parents().get(0);
        assertThat(gw.accepted()).isEqualTo("False");
        assertThat(gw.reason()).isEqualTo("NotAllowedByListeners");
        assertThat(check(gw, "sel").why()).containsExactly("allowedRoutes.namespaces.from Selector (no selector) vs"
                + " labels of namespace ghost (no Namespace object: no labels): not allowed");
        final RouteExplanation.Parent pending = e.parents().get(1);
        assertThat(pending.accepted()).isEqualTo("False");
        assertThat(pending.reason()).isEqualTo("Pending");
        assertThat(pending.listeners()).singleElement().satisfies(l -> {
            assertThat(l.reason()).isEqualTo("Pending");
            assertThat(l.why()).containsExactly("the Gateway is not accepted");
        });

        final RouteExplanation ok = explain(c, "default", "ok");
        assertThat(ok.parents().get(0).resolvedRefs()).isEqualTo("ResolvedRefs");
        assertThat(check(ok.parents().get(0), "same").why()).containsExactly(
                "allowedRoutes.namespaces.from Same: Gateway namespace default, route namespace default: allowed",
                "listener hostname (any) x route hostnames (any) = *");
        assertThat(ok.backends()).singleElement().satisfies(b -> {
            assertThat(b.resolved()).isTrue();
            assertThat(b.reason()).isEqualTo("ResolvedRefs");
            assertThat(b.weight()).isEqualTo(3);
            assertThat(b.readyEndpoints()).isEqualTo(1);
            assertThat(b.message()).isNull();
        });
        assertThat(ok.problems()).isEmpty();
    }
}
