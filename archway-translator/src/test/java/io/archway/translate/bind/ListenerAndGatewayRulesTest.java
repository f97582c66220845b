package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.ListenerEntry;
import io.archway.translate.golden.SpecCase;
import org.junit.jupiter.api.Test;

/** Gateway-level rules of phases 1 and 2: GatewayClass acceptance, parametersRef, degenerate Gateways. */
class ListenerAndGatewayRulesTest {

    private static final String CONFIG_MAP = """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: params, namespace: default}
            """;

    private static SpecCase classWithParameters(String parametersRef) {
        return SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: with-params}
                spec:
                  controllerName: archway.io/gateway-controller
                  parametersRef: %s
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: with-params
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """.formatted(parametersRef) + CONFIG_MAP);
    }

    private static String classAccepted(SpecCase c) {
        return c.gatewayClassConditions("with-params").get("Accepted");
    }

    /**
     * GatewayClass.spec.parametersRef: "If the referent cannot be found, refers to an unsupported
     * kind, or when the data within that resource is malformed, the GatewayClass SHOULD be
     * rejected with the Accepted status condition set to False and an InvalidParameters reason";
     * a Gateway of a class that is not accepted is Accepted=False/Pending and not served.
     */
    @Test
    void gatewayClassParametersRefMustNameAnExistingConfigMap() {
        final SpecCase ok = classWithParameters("{group: '', kind: ConfigMap, name: params, namespace: default}");
        assertThat(classAccepted(ok)).isEqualTo("True/Accepted");
        assertThat(ok.gatewayConditions("default/gw")).containsEntry("Accepted", "True/Accepted");
        assertThat(ok.servedListeners()).hasSize(1);

        for (String bad : new String[] {
            "{group: '', kind: ConfigMap, name: missing, namespace: default}",
            "{group: '', kind: ConfigMap, name: params, namespace: elsewhere}",
            "{group: example.com, kind: ConfigMap, name: params, namespace: default}",
            "{group: '', kind: Secret, name: params, namespace: default}",
        }) {
            final SpecCase c = classWithParameters(bad);
            assertThat(classAccepted(c)).as(bad).isEqualTo("False/InvalidParameters");
            assertThat(c.gatewayConditions("default/gw")).as(bad).containsEntry("Accepted", "False/Pending")
                    .containsEntry("Programmed", "False/Invalid");
            assertThat(c.gateway("default/gw").getAddresses()).as(bad).isEmpty();
            assertThat(c.servedListeners()).as(bad).isEmpty();
            assertThat(c.diagnostics()).as(bad).anySatisfy(d -> assertThat(d).contains("spec.parametersRef: "
                    + "parametersRef ").endsWith(" does not name an existing ConfigMap"));
        }
    }

    /** Gateway.spec.infrastructure without parametersRef (labels, annotations only) is fine. */
    @Test
    void infrastructureWithoutParametersRefIsAccepted() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  infrastructure: {labels: {team: a}}
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """);
        assertThat(c.gatewayConditions("default/gw")).containsEntry("Accepted", "True/Accepted");
        assertThat(c.diagnostics()).isEmpty();
    }

    /** Listener.hostname: an empty hostname is the same as none, "all hostnames". */
    @Test
    void anEmptyListenerHostnameMatchesAnyHost() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners: [{name: http, port: 80, protocol: HTTP, hostname: ''}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw}]
                """);
        assertThat(c.servedListeners()).singleElement().satisfies(l -> {
            assertThat(l.hostname()).isNull();
            assertThat(l.virtualHosts()).singleElement().satisfies(v -> assertThat(v.hostname()).isEqualTo("*"));
        });
    }

    /**
     * Degenerate Gateways (a class adopted in standalone mode, no spec, explicit null listeners,
     * no listeners) never throw; with nothing invalid they are accepted and serve nothing.
     */
    @Test
    void gatewaysWithoutListenersServeNothing() {
        final SpecCase c = SpecCase.withOptions("adoptUnknownGatewayClasses: true\n", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: no-spec, namespace: default}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: null-listeners, namespace: default}
                spec: {gatewayClassName: archway, listeners: ~}
                """);
        assertThat(c.gatewayConditions("default/null-listeners")).containsEntry("Accepted", "True/Accepted");
        assertThat(c.gateway("default/null-listeners").getListeners()).isEmpty();
        assertThat(c.gatewayConditions("default/no-spec")).containsEntry("Accepted", "True/Accepted");
        assertThat(c.servedListeners()).extracting(ListenerEntry::hostname).isEmpty();
    }

    /**
     * Listener.port is required (1-65535) on a cluster; standalone input is not validated, and a
     * listener without port must not make the translation throw (it is read as port 0).
     */
    @Test
    void aListenerWithoutPortNeverThrows() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners: [{name: http, protocol: HTTP}]
                """);
        assertThat(c.listenerConditions("default/gw", "http")).containsKeys("Accepted", "Programmed");
        assertThat(c.translation().snapshot().ports()).extracting(p -> p.port()).containsExactly(0);
    }
    /**
     * GatewayStaticAddresses (v1.6.1): a requested address of an unsupported type gives
     * Accepted=False/UnsupportedAddress and the Gateway is not served; removing it (IPAddress
     * addresses only) makes the Gateway Accepted again.
     */
    @Test
    void unsupportedAddressTypeIsNotAccepted() {
        final String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  addresses: [%s]
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """;
        for (String bad : new String[] {"{type: test/fake-invalid-type, value: 'fake address teehee!'}",
            "{type: Hostname, value: gw.example.com}", "{type: NamedAddress, value: pool-a}"}) {
            final SpecCase c = SpecCase.of(gateway.formatted("{value: 10.1.2.3}, " + bad));
            assertThat(c.gatewayConditions("default/gw")).as(bad).containsEntry("Accepted", "False/UnsupportedAddress")
                    .containsEntry("Programmed", "False/Invalid");
            assertThat(c.servedListeners()).as(bad).isEmpty();
            assertThat(c.diagnostics()).as(bad).anySatisfy(d -> assertThat(d).contains("spec.addresses: address type ")
                    .endsWith(" is not supported (only IPAddress)"));
        }
        final SpecCase ok = SpecCase.of(gateway.formatted("{value: 10.1.2.3}, {type: IPAddress, value: 10.1.2.4}"));
        assertThat(ok.gatewayConditions("default/gw")).containsEntry("Accepted", "True/Accepted");
        assertThat(ok.servedListeners()).hasSize(1);
    }
    private static SpecCase provisioned(String addresses, String service) {
        return SpecCase.withOptions("addressing: provisioned:0.0.0.0\n", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  addresses: [%s]
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """.formatted(addresses) + service);
    }

    private static final String LB_SERVICE = """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: gw, namespace: default, annotations: {archway.io/gateway: default/gw}}
            spec: {type: LoadBalancer, clusterIP: 10.96.0.7, ports: [{name: http, port: 80}]}
            status: {loadBalancer: {ingress: [%s]}}
            """;

    /**
     * Provisioned data planes: status.addresses are the data-plane Service's; a requested address
     * it did not get is Programmed=False/AddressNotUsable (GatewayStaticAddresses); no Service or
     * a pending load balancer is Programmed=False/AddressNotAssigned; a Service of another Gateway
     * does not count.
     */
    @Test
    void provisionedGatewaysTakeTheirAddressesFromTheirService() {
        final SpecCase served = provisioned("{value: 203.0.113.7}", LB_SERVICE.formatted("{ip: 203.0.113.7}"));
        assertThat(served.gatewayConditions("default/gw")).containsEntry("Accepted", "True/Accepted")
                .containsEntry("Programmed", "True/Programmed");
        assertThat(served.gateway("default/gw").getAddresses()).extracting(a -> a.getType() + "=" + a.getValue())
                .containsExactly("IPAddress=203.0.113.7");
        assertThat(served.diagnostics()).noneSatisfy(d -> assertThat(d).contains("requested addresses are ignored"));

        final SpecCase unusable = provisioned("{value: 203.0.113.7}, {type: IPAddress, value: 198.51.100.9}",
                LB_SERVICE.formatted("{ip: 203.0.113.7}"));
        assertThat(unusable.gatewayConditions("default/gw")).containsEntry("Accepted", "True/Accepted")
                .containsEntry("Programmed", "False/AddressNotUsable");
        assertThat(unusable.gateway("default/gw").getAddresses()).extracting(a -> a.getValue())
                .containsExactly("203.0.113.7");
        assertThat(unusable.gateway("default/gw").getConditions()).anySatisfy(c ->
                assertThat(c.getMessage()).contains("[198.51.100.9]"));

        final SpecCase hostname = provisioned("", LB_SERVICE.formatted("{hostname: lb.example.com}"));
        assertThat(hostname.gatewayConditions("default/gw")).containsEntry("Programmed", "True/Programmed");
        assertThat(hostname.gateway("default/gw").getAddresses()).extracting(a -> a.getType() + "=" + a.getValue())
                .containsExactly("Hostname=lb.example.com");

        final SpecCase pending = provisioned("", LB_SERVICE.formatted(""));
        assertThat(pending.gatewayConditions("default/gw")).containsEntry("Programmed", "False/AddressNotAssigned");
        assertThat(pending.gateway("default/gw").getAddresses()).isEmpty();

        final SpecCase otherGateways = provisioned("", LB_SERVICE.formatted("{ip: 203.0.113.7}")
                .replace("archway.io/gateway: default/gw", "archway.io/gateway: default/other"));
        assertThat(otherGateways.gatewayConditions("default/gw")).containsEntry("Programmed", "False/AddressNotAssigned");
        assertThat(otherGateways.gateway("default/gw").getAddresses()).isEmpty();
    }
}
