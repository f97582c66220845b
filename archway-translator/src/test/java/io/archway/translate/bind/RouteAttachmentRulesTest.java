package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.ListenerOrigin;
import io.archway.translate.golden.SpecCase;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HTTPRoute attachment (phase 4): which parentRefs we answer for, and what a refusal says. */
class RouteAttachmentRulesTest {

    /**
     * ParentReference group/kind default to gateway.networking.k8s.io/Gateway; a parentRef to
     * anything else (a Service, for GAMMA mesh routing; another API group) is not ours to answer:
     * no parent status entry, no attachment.
     */
    @Test
    void parentRefsThatAreNotGatewaysAreIgnored() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: mesh, namespace: default}
                spec:
                  parentRefs: [{group: '', kind: Service, name: gw}, {group: example.com, kind: Gateway, name: gw}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: explicit, namespace: default}
                spec:
                  parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
                """);
        assertThat(c.route("default/mesh")).isNull();
        assertThat(c.listener("default/gw", "http").getAttachedRoutes()).isEqualTo(1);
        assertThat(c.routeParentConditions("default/explicit", 0)).containsEntry("Accepted", "True/Accepted");
    }

    /** An HTTPRoute whose parentRefs are an explicit null attaches nowhere and gets no status. */
    @Test
    void nullParentRefsAttachNowhere() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec: {parentRefs: ~}
                """);
        assertThat(c.route("default/r")).isNull();
        assertThat(c.diagnostics()).isEmpty();
    }

    /** A Gateway without any listener has no listener to attach to: NoMatchingParent, naming only the Gateway. */
    @Test
    void aGatewayWithoutListenersIsNoMatchingParent() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec: {gatewayClassName: archway, listeners: []}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw}]
                """);
        assertThat(c.routeParentConditions("default/r", 0)).containsEntry("Accepted", "False/NoMatchingParent");
        assertThat(c.route("default/r").getParents().get(0).getConditions().get(0).getMessage())
                .isEqualTo("no accepted listener of Gateway default/gw");
    }

    /** ListenerStatus.supportedKinds: a listener allows a route kind only by group and kind both. */
    @Test
    void allowsKindComparesGroupAndKind() {
        final BoundListener l = new BoundListener(new ListenerOrigin("ns", "gw", "http"), 80, null, null, null, true, true, true,
                null, List.of(new RouteGroupKindBuilder().withKind("HTTPRoute").build()), List.of(), null, List.of());
        assertThat(l.allowsKind(io.archway.kinds.ResourceKind.GATEWAY_GROUP, "HTTPRoute")).as("group defaults to gateway.networking.k8s.io")
                .isTrue();
        assertThat(l.allowsKind(io.archway.kinds.ResourceKind.GATEWAY_GROUP, "GRPCRoute")).isFalse();
        assertThat(l.allowsKind("example.com", "HTTPRoute")).isFalse();
    }
}
