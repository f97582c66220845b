package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Endpoint;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.golden.SpecCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HTTPBackendRef resolution (BackendObjectReference): only core Services are understood
 * (InvalidKind), the Service and its port must exist (BackendNotFound), and the Service port maps
 * to endpoint ports through the EndpointSlices of the Service.
 */
class BackendResolutionRulesTest {

    /** A route on an HTTP listener of {@code default/gw} with one backendRef, plus {@code extra} documents. */
    private static SpecCase route(String backendRef, String extra) {
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
                  - backendRefs: [%s]
                """.formatted(backendRef) + (extra.isEmpty() ? "" : "---\n" + extra));
    }

    private static WeightedBackend backend(SpecCase c) {
        return ((io.archway.snapshot.HttpPort) c.translation().snapshot().ports().get(0).kind()).listeners().get(0).virtualHosts().get(0).routes().get(0)
                .backends().get(0);
    }

    /** BackendObjectReference.group and kind: "" and Service (the defaults) name a core Service; others are InvalidKind. */
    @Test
    void onlyCoreServicesAreBackends() {
        final SpecCase otherGroup = route("{group: example.com, kind: Service, name: echo, port: 80}", "");
        assertThat(otherGroup.routeParentConditions("default/r", 0)).containsEntry("ResolvedRefs", "False/InvalidKind");
        assertThat(backend(otherGroup).invalidReason()).isEqualTo("InvalidKind");
        assertThat(backend(otherGroup).origin().kind()).isEqualTo("example.com/Service");
        final SpecCase otherKind = route("{kind: ServiceImport, name: echo, port: 80}", "");
        assertThat(otherKind.routeParentConditions("default/r", 0)).containsEntry("ResolvedRefs", "False/InvalidKind");
        final SpecCase explicitCore = route("{group: '', kind: Service, name: echo, port: 80}", "");
        assertThat(explicitCore.routeParentConditions("default/r", 0))
                .containsEntry("ResolvedRefs", "True/ResolvedRefs");
        assertThat(backend(explicitCore).endpoints()).containsExactly(new Endpoint("10.0.0.1", 8080));
    }

    /** A Service without spec or ports has no port to resolve: BackendNotFound. */
    @Test
    void aServiceWithoutPortsIsBackendNotFound() {
        for (String service : List.of("{apiVersion: v1, kind: Service, metadata: {name: bare, namespace: default}}",
                "{apiVersion: v1, kind: Service, metadata: {name: bare, namespace: default}, spec: {ports: ~}}")) {
            final SpecCase c = route("{name: bare, port: 80}", service);
            assertThat(c.routeParentConditions("default/r", 0)).containsEntry("ResolvedRefs", "False/BackendNotFound");
            assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).endsWith("Service default/bare has no port 80"));
        }
    }

    private static String service(String port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: default}
                spec:
                  ports: [%s]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: svc-1
                  namespace: default
                  labels: {kubernetes.io/service-name: svc}
                addressType: IPv4
                ports: [{name: other, port: 9999}]
                endpoints: [{addresses: [10.0.0.9]}]
                """.formatted(port);
    }

    /**
     * Without a slice port of the Service port's name, the endpoint port is the numeric
     * targetPort, or the port itself when targetPort is unset (ServicePort.targetPort: "Defaults
     * to the value of the 'port' field").
     */
    @Test
    void endpointPortFallsBackToTargetPortThenPort() {
        assertThat(backend(route("{name: svc, port: 80}", service("{name: web, port: 80, targetPort: 8081}")))
                .endpoints()).containsExactly(new Endpoint("10.0.0.9", 8081));
        assertThat(backend(route("{name: svc, port: 80}", service("{name: web, port: 80}")))
                .endpoints()).containsExactly(new Endpoint("10.0.0.9", 80));
    }

    /** A named targetPort that no slice port carries cannot be resolved: no endpoints (503), not an error. */
    @Test
    void aNamedTargetPortWithoutSlicePortHasNoEndpoints() {
        final SpecCase c = route("{name: svc, port: 80}", service("{name: web, port: 80, targetPort: http-alt}"));
        assertThat(backend(c).valid()).isTrue();
        assertThat(backend(c).endpoints()).isEmpty();
    }

    /** An EndpointSlice without endpoints, written as an explicit null, contributes none. */
    @Test
    void aSliceWithNullEndpointsContributesNone() {
        final SpecCase c = route("{name: svc, port: 80}", """
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: default}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: svc-1, namespace: default, labels: {kubernetes.io/service-name: svc}}
                addressType: IPv4
                ports: [{port: 80}]
                endpoints: ~
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: svc-2, namespace: default, labels: {kubernetes.io/service-name: svc}}
                addressType: IPv4
                ports: [{port: 80}]
                endpoints: [{addresses: [10.0.0.7]}]
                """);
        assertThat(backend(c).endpoints()).containsExactly(new Endpoint("10.0.0.7", 80));
    }
}
