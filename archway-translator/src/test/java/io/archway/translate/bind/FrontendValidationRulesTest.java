package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.translate.golden.SpecCase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gateway spec.tls.frontend (GatewayFrontendClientCertificateValidation): which sockets ask for
 * client certificates with which CAs, and the listener and Gateway conditions the spec requires
 * (FrontendTLSValidation.caCertificateRefs, GatewayConditionInsecureFrontendValidationMode). The
 * conformance manifests are golden cases ({@code conformance-gateway-*client*}); these are the rules
 * they leave out.
 */
class FrontendValidationRulesTest {
    private static final String INFRA = "gateway-conformance-infra";
    private static final String CA = "{kind: ConfigMap, group: '', name: tls-validity-checks-ca-certificate}";
    private static final String PER_PORT_CA = "{kind: ConfigMap, group: '', name: tls-validity-checks-per-port-ca-certificate}";

    private static SpecCase gateway(String frontend, String extra) {
        return SpecCase.withOptions("  - _include/ca-configmaps.yaml\n", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: gateway-conformance-infra}
                spec:
                  gatewayClassName: archway
                  tls:
                    frontend:
                %s
                  listeners:
                  - name: https
                    port: 443
                    protocol: HTTPS
                    tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}
                  - name: https-8443
                    port: 8443
                    protocol: HTTPS
                    tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}
                  - name: http
                    port: 80
                    protocol: HTTP
                """.formatted(frontend.indent(6).stripTrailing()) + extra);
    }

    private static FrontendValidation validationOn(SpecCase c, int port) {
        final PortBinding binding = c.translation().snapshot().ports().stream().filter(p -> p.port() == port)
                .findFirst().orElseThrow(() -> new AssertionError("port " + port + " is not served"));
        return ((HttpPort) binding.kind()).clientValidation();
    }

    private static boolean served(SpecCase c, int port) {
        return c.translation().snapshot().ports().stream().anyMatch(p -> p.port() == port);
    }

    @Test
    void perPortReplacesTheDefaultOnItsPortAndHttpListenersAskForNothing() {
        final SpecCase c = gateway("""
                default: {validation: {caCertificateRefs: [%s]}}
                perPort:
                - port: 8443
                  tls: {validation: {mode: AllowInsecureFallback, caCertificateRefs: [%s]}}
                - port: 80
                  tls: {validation: {caCertificateRefs: [%s]}}
                """.formatted(CA, PER_PORT_CA, PER_PORT_CA), "");
        assertThat(validationOn(c, 443).mode()).isEqualTo(FrontendValidation.Mode.ALLOW_VALID_ONLY);
        assertThat(validationOn(c, 443).sources()).containsExactly("ConfigMap " + INFRA + "/tls-validity-checks-ca-certificate");
        assertThat(validationOn(c, 443).caCertificatesPem()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(validationOn(c, 8443).mode()).isEqualTo(FrontendValidation.Mode.ALLOW_INSECURE_FALLBACK);
        assertThat(validationOn(c, 8443).sources())
                .containsExactly("ConfigMap " + INFRA + "/tls-validity-checks-per-port-ca-certificate");
        assertThat(validationOn(c, 80)).isNull();
        assertThat(c.listenerConditions(INFRA + "/gw", "http")).containsEntry("Accepted", "True/Accepted")
                .containsEntry("ResolvedRefs", "True/ResolvedRefs");
        assertThat(c.gatewayConditions(INFRA + "/gw")).containsEntry("InsecureFrontendValidationMode",
                "True/ConfigurationChanged");
        assertThat(c.diagnostics()).isEmpty();
    }

    @Test
    void withoutInsecureFallbackTheGatewayHasNoInsecureCondition() {
        final SpecCase c = gateway("default: {validation: {mode: AllowValidOnly, caCertificateRefs: [%s]}}".formatted(CA), "");
        assertThat(c.gatewayConditions(INFRA + "/gw")).doesNotContainKey("InsecureFrontendValidationMode");
        assertThat(validationOn(c, 8443).mode()).isEqualTo(FrontendValidation.Mode.ALLOW_VALID_ONLY);
    }

    /** One valid reference among invalid ones: ResolvedRefs=False names the invalid one, the listener serves with the valid CA. */
    @Test
    void someValidReferencesKeepTheListenerAcceptedWithResolvedRefsFalse() {
        final SpecCase c = gateway("default: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: gone}, %s]}}"
                .formatted(CA), "");
        final Map<String, String> https = c.listenerConditions(INFRA + "/gw", "https");
        assertThat(https).containsEntry("Accepted", "True/Accepted").containsEntry("Programmed", "True/Programmed")
                .containsEntry("ResolvedRefs", "False/InvalidCACertificateRef");
        assertThat(c.listener(INFRA + "/gw", "https").getConditions()).anySatisfy(cond -> assertThat(cond.getMessage())
                .isEqualTo("caCertificateRef ConfigMap " + INFRA + "/gone does not exist"));
        assertThat(validationOn(c, 443).sources()).containsExactly("ConfigMap " + INFRA + "/tls-validity-checks-ca-certificate");
    }

    /** A ConfigMap whose ca.crt is not PEM, or that has none, is misconfigured: InvalidCACertificateRef, and with no other CA not served. */
    @Test
    void aConfigMapWithoutPemCertificatesUnderCaCrtIsAnInvalidRef() {
        final SpecCase c = gateway("""
                default: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: not-pem-ca-certificate}]}}
                perPort:
                - port: 8443
                  tls: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: coredns}]}}
                """, "");
        assertThat(c.listenerConditions(INFRA + "/gw", "https")).containsEntry("Accepted", "False/NoValidCACertificate")
                .containsEntry("ResolvedRefs", "False/InvalidCACertificateRef").containsEntry("Programmed", "False/Invalid");
        assertThat(c.listenerConditions(INFRA + "/gw", "https-8443")).containsEntry("Accepted", "False/NoValidCACertificate");
        assertThat(served(c, 443)).isFalse();
        assertThat(served(c, 8443)).isFalse();
        assertThat(validationOn(c, 80)).isNull();
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("spec.tls.frontend.default.validation"
                + ".caCertificateRefs[0]: caCertificateRef ConfigMap " + INFRA + "/not-pem-ca-certificate: ca.crt holds"
                + " no PEM certificate"));
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("ConfigMap " + INFRA + "/coredns does not"
                + " exist"));
    }

    /** A ConfigMap in another namespace is trusted once a ReferenceGrant there admits Gateways of the Gateway's namespace. */
    @Test
    void aCrossNamespaceConfigMapNeedsAReferenceGrant() {
        final String frontend = "default: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: web-backend-cm,"
                + " namespace: gateway-conformance-web-backend}]}}";
        assertThat(gateway(frontend, "").listenerConditions(INFRA + "/gw", "https"))
                .containsEntry("ResolvedRefs", "False/RefNotPermitted").containsEntry("Accepted", "False/NoValidCACertificate");
        final SpecCase granted = gateway(frontend, """
                ---
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: ca, namespace: gateway-conformance-web-backend}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway-conformance-infra}]
                  to: [{group: '', kind: ConfigMap}]
                """);
        assertThat(granted.listenerConditions(INFRA + "/gw", "https")).containsEntry("ResolvedRefs", "True/ResolvedRefs")
                .containsEntry("Accepted", "True/Accepted");
        assertThat(validationOn(granted, 443).sources())
                .containsExactly("ConfigMap gateway-conformance-web-backend/web-backend-cm");
    }

    /**
     * Two Gateways on one shared socket must agree on client certificates (the handshake asks before
     * SNI or Host can tell their listeners apart): the one that comes later is not served, with an error.
     */
    @Test
    void gatewaysSharingASocketMustAgreeOnClientValidation() {
        final SpecCase c = gateway("default: {validation: {caCertificateRefs: [%s]}}".formatted(CA), """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: other, namespace: gateway-conformance-infra}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: https
                    port: 443
                    hostname: other.example.org
                    protocol: HTTPS
                    tls: {certificateRefs: [{name: tls-validity-checks-certificate}]}
                """);
        final HttpPort port = (HttpPort) c.translation().snapshot().ports().stream().filter(p -> p.port() == 443)
                .findFirst().orElseThrow().kind();
        assertThat(port.listeners()).singleElement().satisfies(l -> assertThat(l.origin().gatewayName()).isEqualTo("gw"));
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("Gateway " + INFRA + "/other spec.tls.frontend:"
                + " listener https is not served").contains("already validates client certificates as FrontendValidation["
                + "ALLOW_VALID_ONLY ConfigMap " + INFRA + "/tls-validity-checks-ca-certificate]"));
    }
}
