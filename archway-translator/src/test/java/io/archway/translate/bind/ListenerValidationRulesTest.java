package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.ListenerEntry;
import io.archway.translate.golden.SpecCase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Listener validation rules (phase 2), as a Gateway's listener status shows them: the conditions
 * in the order Accepted, Programmed, ResolvedRefs, Conflicted, as {@code Status/Reason}.
 */
class ListenerValidationRulesTest {

    private static String gateway(String listeners) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners:
                """ + listeners.stripIndent().indent(2);
    }

    private static Map<String, String> conditions(String accepted, String programmed, String resolvedRefs,
                                                  String conflicted) {
        final Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("Accepted", accepted);
        m.put("Programmed", programmed);
        m.put("ResolvedRefs", resolvedRefs);
        m.put("Conflicted", conflicted);
        return m;
    }

    private static final Map<String, String> VALID = conditions("True/Accepted", "True/Programmed",
            "True/ResolvedRefs", "False/NoConflicts");

    /**
     * Hostnames compare case-insensitively (Listener.hostname is an RFC 1123 name; the CRD only
     * admits lower case, standalone input is not validated): the listener is served under its
     * lower-cased hostname.
     */
    @Test
    void listenerHostnameIsServedLowerCased() {
        final SpecCase c = SpecCase.of(gateway("""
                - {name: http, port: 80, protocol: HTTP, hostname: Foo.Example.COM}
                """));
        assertThat(c.listenerConditions("default/gw", "http")).isEqualTo(VALID);
        assertThat(c.servedListeners()).extracting(ListenerEntry::hostname).containsExactly("foo.example.com");
    }

    /** Listeners on one port with one protocol conflict when their hostnames are equal, case aside (HostnameConflict). */
    @Test
    void hostnamesDifferingOnlyInCaseConflict() {
        final SpecCase c = SpecCase.of(gateway("""
                - {name: a, port: 80, protocol: HTTP, hostname: foo.example.com}
                - {name: b, port: 80, protocol: HTTP, hostname: FOO.example.com}
                - {name: c, port: 80, protocol: HTTP, hostname: bar.example.com}
                """));
        final Map<String, String> conflicted = conditions("False/HostnameConflict", "False/HostnameConflict",
                "True/ResolvedRefs", "True/HostnameConflict");
        assertThat(c.listenerConditions("default/gw", "a")).isEqualTo(conflicted);
        assertThat(c.listenerConditions("default/gw", "b")).isEqualTo(conflicted);
        assertThat(c.listenerConditions("default/gw", "c")).isEqualTo(VALID);
        assertThat(c.servedListeners()).extracting(ListenerEntry::hostname).containsExactly("bar.example.com");
        // Gateway Accepted stays True while at least one listener is valid (ListenersNotValid).
        assertThat(c.gatewayConditions("default/gw")).containsEntry("Accepted", "True/ListenersNotValid");
    }

    /** Two listeners without hostname on one port and protocol are indistinct: both conflict, none wins. */
    @Test
    void twoListenersWithoutHostnameOnOnePortConflict() {
        final SpecCase c = SpecCase.of(gateway("""
                - {name: a, port: 80, protocol: HTTP}
                - {name: b, port: 80, protocol: HTTP}
                - {name: other-port, port: 8080, protocol: HTTP}
                """));
        assertThat(c.listenerConditions("default/gw", "a")).containsEntry("Conflicted", "True/HostnameConflict");
        assertThat(c.listenerConditions("default/gw", "b")).containsEntry("Conflicted", "True/HostnameConflict");
        assertThat(c.listenerConditions("default/gw", "other-port")).isEqualTo(VALID);
    }

    /**
     * Listener.tls: "This field is required if the Protocol field is HTTPS". Without it the
     * certificate cannot resolve: ResolvedRefs=False/InvalidCertificateRef and the listener is
     * not programmed, though it stays Accepted (the protocol is supported).
     */
    @Test
    void httpsListenerWithoutTlsIsNotProgrammed() {
        final SpecCase c = SpecCase.of(gateway("""
                - {name: https, port: 443, protocol: HTTPS}
                """));
        assertThat(c.listenerConditions("default/gw", "https")).isEqualTo(conditions("True/Accepted",
                "False/Invalid", "False/InvalidCertificateRef", "False/NoConflicts"));
        assertThat(c.listener("default/gw", "https").getConditions().get(1).getMessage())
                .isEqualTo("HTTPS listener without tls");
        assertThat(c.servedListeners()).isEmpty();
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("spec.listeners[0].tls:")
                .contains("HTTPS requires tls"));
    }

    /**
     * GatewayTLSConfig.mode Passthrough means the Gateway does not terminate TLS, which an HTTPS
     * listener of ours cannot do: the listener is not Accepted (UnsupportedProtocol), supports no
     * route kinds, and is not served.
     */
    @Test
    void httpsListenerWithPassthroughModeIsUnsupported() {
        final SpecCase c = SpecCase.of(gateway("""
                - name: https
                  port: 443
                  protocol: HTTPS
                  tls:
                    mode: Passthrough
                    certificateRefs: [{name: example-cert}]
                """));
        assertThat(c.listenerConditions("default/gw", "https")).isEqualTo(conditions("False/UnsupportedProtocol",
                "False/Invalid", "True/ResolvedRefs", "False/NoConflicts"));
        assertThat(c.listener("default/gw", "https").getSupportedKinds()).isEmpty();
        assertThat(c.servedListeners()).isEmpty();
        assertThat(c.gatewayConditions("default/gw")).containsEntry("Accepted", "False/ListenersNotValid")
                .containsEntry("Programmed", "False/Invalid");
        assertThat(c.diagnostics()).anySatisfy(d -> assertThat(d).contains("spec.listeners[0].tls.mode:")
                .contains("HTTPS with tls.mode Passthrough is not supported"));
    }

    /** tls.mode defaults to Terminate; writing it explicitly is the same. */
    @Test
    void httpsListenerWithExplicitTerminateModeIsServed() {
        final SpecCase c = SpecCase.of(gateway("""
                - name: https
                  port: 443
                  protocol: HTTPS
                  hostname: example.org
                  tls:
                    mode: Terminate
                    certificateRefs: [{name: example-cert}]
                """));
        assertThat(c.listenerConditions("default/gw", "https")).isEqualTo(VALID);
        assertThat(c.servedListeners()).singleElement().satisfies(l -> {
            assertThat(l.hostname()).isEqualTo("example.org");
            assertThat(l.certificates()).hasSize(1);
        });
    }
}
