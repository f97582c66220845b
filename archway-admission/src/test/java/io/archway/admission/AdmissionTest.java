package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.kinds.ResourceKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Admission of single objects against the standard channel, one category at a time: each CEL rule
 * of a representative set refuses a violating object with the CRD's own message at the rule's node,
 * and admits the closest passing object; schema constraints answer with the API server's wording;
 * defaults, pruning and transition rules behave as on a create.
 */
class AdmissionTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Admission STANDARD = Admission.of(CrdChannel.STANDARD);

    static AdmissionResult admit(String yaml) {
        return admit(STANDARD, yaml);
    }

    static AdmissionResult admit(Admission admission, String yaml) {
        try {
            ObjectNode obj = (ObjectNode) YAML.readTree(yaml);
            String apiVersion = obj.get("apiVersion").asText();
            ResourceKind kind = ResourceKind.byKind(obj.get("kind").asText()).orElseThrow();
            return admission.admit(kind, apiVersion.substring(apiVersion.indexOf('/') + 1), obj);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: default}
            spec:
              parentRefs: [{name: gw}]
              rules:
            """;
    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              gatewayClassName: archway
              listeners:
            """;
    private static final String GRPC = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: g}
            spec:
              rules:
            """;
    private static final String TLS_ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: TLSRoute
            metadata: {name: t}
            spec:
              parentRefs: [{name: gw}]
              rules: [{backendRefs: [{name: svc, port: 443}]}]
            """;
    private static final String POLICY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: p}
            spec:
              targetRefs: [{group: "", kind: Service, name: svc}]
              validation:
            """;

    /** name, violating object, passing object, field path, the CRD's message. */
    static Stream<Arguments> celRules() {
        return Stream.of(
                rule("HTTPRoute redirect beside backendRefs",
                        ROUTE + """
                              - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
                                backendRefs: [{name: svc, port: 80}]
                            """,
                        ROUTE + """
                              - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
                            """,
                        "spec.rules[0]", "RequestRedirect filter must not be used together with backendRefs"),
                rule("HTTPRoute filter type without its field",
                        ROUTE + "  - filters: [{type: URLRewrite}]\n",
                        ROUTE + "  - filters: [{type: URLRewrite, urlRewrite: {hostname: example.com}}]\n",
                        "spec.rules[0].filters[0]", "filter.urlRewrite must be specified for URLRewrite filter.type"),
                rule("HTTPRoute repeated RequestHeaderModifier",
                        ROUTE + """
                              - filters:
                                - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: a, value: b}]}}
                                - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: c, value: d}]}}
                            """,
                        ROUTE + """
                              - filters:
                                - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: a, value: b}, {name: c, value: d}]}}
                            """,
                        "spec.rules[0].filters", "RequestHeaderModifier filter cannot be repeated"),
                rule("HTTPRoute replacePrefixMatch needs one PathPrefix match",
                        ROUTE + """
                              - matches: [{path: {type: Exact, value: /a}}]
                                filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]
                            """,
                        ROUTE + """
                              - matches: [{path: {type: PathPrefix, value: /a}}]
                                filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]
                            """,
                        "spec.rules[0]",
                        "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"),
                rule("HTTPRoute Service backendRef without port",
                        ROUTE + "  - backendRefs: [{name: svc}]\n",
                        ROUTE + "  - backendRefs: [{name: svc, port: 8080}]\n",
                        "spec.rules[0].backendRefs[0]", "Must have port for Service reference"),
                rule("HTTPRoute mirror percent and fraction",
                        ROUTE + """
                              - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 5, fraction: {numerator: 1}}}]
                            """,
                        ROUTE + """
                              - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 5}}]
                            """,
                        "spec.rules[0].filters[0].requestMirror",
                        "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter"),
                rule("HTTPRoute two parentRefs to one Gateway need sectionName (escaped __namespace__)",
                        """
                            apiVersion: gateway.networking.k8s.io/v1
                            kind: HTTPRoute
                            metadata: {name: r}
                            spec:
                              parentRefs: [{name: gw, namespace: infra}, {name: gw, namespace: infra, sectionName: http}]
                            """,
                        """
                            apiVersion: gateway.networking.k8s.io/v1
                            kind: HTTPRoute
                            metadata: {name: r}
                            spec:
                              parentRefs: [{name: gw, namespace: infra}, {name: gw, namespace: other}]
                            """,
                        "spec.parentRefs",
                        "sectionName must be specified when parentRefs includes 2 or more references to the same parent"),
                rule("TLSRoute hostname that is an IP (isIP)",
                        TLS_ROUTE + "  hostnames: [\"10.0.0.1\"]\n",
                        TLS_ROUTE + "  hostnames: [\"a.example.com\"]\n",
                        "spec.hostnames", "Hostnames cannot contain an IP"),
                rule("TLSRoute wildcard hostname (substring)",
                        TLS_ROUTE + "  hostnames: [\"*a.example.com\"]\n",
                        TLS_ROUTE + "  hostnames: [\"*.example.com\"]\n",
                        "spec.hostnames", "Wildcards on hostnames must be the first label, and the rest of hostname must be valid based on RFC-1123"),
                rule("Gateway TLS on an HTTP listener",
                        GATEWAY + "  - {name: h, protocol: HTTP, port: 80, tls: {certificateRefs: [{name: c}]}}\n",
                        GATEWAY + "  - {name: h, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: c}]}}\n",
                        "spec.listeners", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"),
                rule("Gateway listener names unique (exists_one)",
                        GATEWAY + "  - {name: h, protocol: HTTP, port: 80}\n  - {name: h, protocol: HTTP, port: 81}\n",
                        GATEWAY + "  - {name: h, protocol: HTTP, port: 80}\n  - {name: i, protocol: HTTP, port: 81}\n",
                        "spec.listeners", "Listener name must be unique within the Gateway"),
                rule("Gateway hostname on a TCP listener",
                        GATEWAY + "  - {name: t, protocol: TCP, port: 9000, hostname: a.example.com}\n",
                        GATEWAY + "  - {name: t, protocol: TCP, port: 9000}\n",
                        "spec.listeners", "hostname must not be specified for protocols ['TCP', 'UDP']"),
                rule("Gateway Terminate without certificates",
                        GATEWAY + "  - {name: s, protocol: HTTPS, port: 443, tls: {mode: Terminate}}\n",
                        GATEWAY + "  - {name: s, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: c}]}}\n",
                        "spec.listeners[0].tls", "certificateRefs or options must be specified when mode is Terminate"),
                rule("Gateway infrastructure label key prefix (split)",
                        GATEWAY.replace("  listeners:\n", "  infrastructure: {labels: {\"" + "a".repeat(253)
                                + "/x\": v}}\n  listeners:\n") + "  - {name: h, protocol: HTTP, port: 80}\n",
                        GATEWAY.replace("  listeners:\n", "  infrastructure: {labels: {\"example.com/x\": v}}\n"
                                + "  listeners:\n") + "  - {name: h, protocol: HTTP, port: 80}\n",
                        "spec.infrastructure.labels",
                        "If specified, the label key's prefix must be a DNS subdomain not longer than 253 characters in total."),
                rule("GRPCRoute method match with neither service nor method",
                        GRPC + "  - matches: [{method: {type: Exact}}]\n",
                        GRPC + "  - matches: [{method: {type: Exact, service: foo.Bar}}]\n",
                        "spec.rules[0].matches[0].method", "One or both of 'service' or 'method' must be specified"),
                rule("GRPCRoute service with invalid characters (matches)",
                        GRPC + "  - matches: [{method: {service: \"foo/bar\"}}]\n",
                        GRPC + "  - matches: [{method: {service: \"foo.bar\"}}]\n",
                        "spec.rules[0].matches[0].method",
                        "service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)"),
                rule("BackendTLSPolicy without CA certificates",
                        POLICY + "    hostname: backend.example.com\n",
                        POLICY + "    hostname: backend.example.com\n    wellKnownCACertificates: System\n",
                        "spec.validation", "must specify either CACertificateRefs or WellKnownCACertificates"),
                rule("BackendTLSPolicy SAN Hostname without hostname",
                        POLICY + "    hostname: b.example.com\n    wellKnownCACertificates: System\n"
                                + "    subjectAltNames: [{type: Hostname}]\n",
                        POLICY + "    hostname: b.example.com\n    wellKnownCACertificates: System\n"
                                + "    subjectAltNames: [{type: Hostname, hostname: x.example.com}]\n",
                        "spec.validation.subjectAltNames[0]",
                        "SubjectAltName element must contain Hostname, if Type is set to Hostname"));
    }

    private static Arguments rule(String name, String violating, String passing, String field, String message) {
        return Arguments.of(name, violating, passing, field, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("celRules")
    void celRuleRefusesWithTheCrdsMessageAndAdmitsThePassingCase(String name, String violating, String passing,
            String field, String message) {
        AdmissionResult refused = admit(violating);
        assertThat(refused.errors()).as(name).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.detail()).endsWith(message);
        });
        AdmissionResult admitted = admit(passing);
        assertThat(admitted.errors()).as(name + " (passing case)").isEmpty();
    }

    @Test
    void schemaConstraintsUseTheApiServersWording() {
        List<Violation> errors = admit(ROUTE + """
                  - matches: [{path: {type: Prefix, value: /a}}]
                    backendRefs: [{name: svc, port: 70000, weight: -1}]
                """).errors();
        assertThat(errors).extracting(Violation::toString).contains(
                "spec.rules[0].matches[0].path.type: Unsupported value: \"Prefix\": supported values: \"Exact\", "
                        + "\"PathPrefix\", \"RegularExpression\"",
                "spec.rules[0].backendRefs[0].port: Invalid value: 70000: spec.rules[0].backendRefs[0].port in body"
                        + " should be less than or equal to 65535",
                "spec.rules[0].backendRefs[0].weight: Invalid value: -1: spec.rules[0].backendRefs[0].weight in body"
                        + " should be greater than or equal to 0");
        // an enum error blocks the CEL rules, as the API server's hasBlockingErr
        assertThat(errors).extracting(Violation::detail).anyMatch(d -> d.startsWith("some validation rules were not checked"));
        assertThat(admit(ROUTE + """
                  - matches: [{path: {type: Prefix, value: /a}}]
                    backendRefs: [{name: svc}]
                """).errors()).as("the port-less Service reference's CEL rule did not run")
                .extracting(Violation::detail).noneMatch(d -> d.contains("Must have port"));
    }

    @Test
    void requiredPatternLengthItemsAndTypes() {
        List<String> errors = admit("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r}
                spec:
                  hostnames: ["Not_A_Host", "%s"]
                  parentRefs: [{name: gw, port: "80"}]
                """.formatted("a".repeat(254))).errors().stream().map(Violation::toString).toList();
        assertThat(errors).anyMatch(e -> e.startsWith("spec.hostnames[0]: Invalid value: \"Not_A_Host\": spec.hostnames[0]"
                + " in body should match"));
        assertThat(errors).contains("spec.hostnames[1]: Too long: may not be more than 253 bytes");
        assertThat(errors).contains("spec.parentRefs[0].port: Invalid value: \"string\": spec.parentRefs[0].port in body"
                + " must be of type integer: \"string\"");
        assertThat(admit(GATEWAY.replace("  gatewayClassName: archway\n", "")
                + "  - {name: h, protocol: HTTP, port: 80}\n").errors())
                .extracting(Violation::toString).contains("spec.gatewayClassName: Required value");
        StringBuilder many = new StringBuilder(GATEWAY);
        for (int i = 0; i < 65; i++) {
            many.append("  - {name: l").append(i).append(", protocol: HTTP, port: ").append(1000 + i).append("}\n");
        }
        assertThat(admit(many.toString()).errors()).extracting(Violation::toString)
                .contains("spec.listeners: Too many: 65: must have at most 64 items");
    }

    @Test
    void aFailedOneOfNamesTheFieldOfTheAlternativeThatMatchedMost() {
        // kube-openapi merges the best alternative's failures (upstream tests/cel/gateway_test.go expects
        // 'Invalid value: "1.2.3.4:8080": spec.addresses[0].value in body must be of type ipv4').
        List<String> errors = admit(GATEWAY + "  - {name: h, protocol: HTTP, port: 80}\n"
                + "  addresses: [{type: IPAddress, value: \"1.2.3.4:8080\"}]\n").errors().stream()
                .map(Violation::toString).toList();
        assertThat(errors).containsExactly(
                "spec.addresses[0]: Invalid value: \"object\": spec.addresses[0] in body must validate one and only one"
                        + " schema (oneOf)",
                "spec.addresses[0].value: Invalid value: \"1.2.3.4:8080\": spec.addresses[0].value in body must validate"
                        + " at least one schema (anyOf)",
                "spec.addresses[0].value: Invalid value: \"1.2.3.4:8080\": spec.addresses[0].value in body must be of"
                        + " type ipv4: \"1.2.3.4:8080\"");
        assertThat(admit(GATEWAY + "  - {name: h, protocol: HTTP, port: 80}\n"
                + "  addresses: [{type: IPAddress, value: \"1111:2222:3333:4444::\"}, {type: Hostname, value: foo.bar}]\n")
                .errors()).isEmpty();
    }

    @Test
    void listMapKeysAndSetsAreUnique() {
        List<String> errors = admit(ROUTE + """
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {set: [{name: x, value: "1"}, {name: x, value: "2"}], remove: [a, a]}
                """).errors().stream().map(Violation::toString).toList();
        assertThat(errors).contains(
                "spec.rules[0].filters[0].requestHeaderModifier.set[1]: Duplicate value: {\"name\":\"x\"}",
                "spec.rules[0].filters[0].requestHeaderModifier.remove[1]: Duplicate value: \"a\"");
    }

    @Test
    void defaultsAreAppliedBeforeValidationAsTheApiServerDoes() {
        AdmissionResult r = admit(ROUTE + "  - backendRefs: [{name: svc, port: 80}]\n");
        assertThat(r.errors()).isEmpty();
        ObjectNode spec = (ObjectNode) r.object().get("spec");
        assertThat(spec.at("/parentRefs/0/group").asText()).isEqualTo("gateway.networking.k8s.io");
        assertThat(spec.at("/parentRefs/0/kind").asText()).isEqualTo("Gateway");
        assertThat(spec.at("/rules/0/matches/0/path/type").asText()).isEqualTo("PathPrefix");
        assertThat(spec.at("/rules/0/matches/0/path/value").asText()).isEqualTo("/");
        assertThat(spec.at("/rules/0/backendRefs/0/weight").asInt()).isEqualTo(1);
        assertThat(spec.at("/rules/0/backendRefs/0/kind").asText()).isEqualTo("Service");
    }

    @Test
    void unknownFieldsArePrunedWithAWarningNotRefused() {
        AdmissionResult r = admit(ROUTE + "  - backendRefs: [{name: svc, port: 80, wieght: 5}]\n");
        assertThat(r.admitted()).isTrue();
        assertThat(r.warnings()).extracting(Violation::toString)
                .containsExactly("spec.rules[0].backendRefs[0].wieght: unknown field");
        assertThat(r.object().at("/spec/rules/0/backendRefs/0").has("wieght")).isFalse();
    }

    @Test
    void experimentalFieldsArePrunedByTheStandardChannelOnly() {
        String yaml = ROUTE.replace("  rules:\n", "  useDefaultGateways: All\n");
        assertThat(admit(STANDARD, yaml).warnings()).extracting(Violation::field).contains("spec.useDefaultGateways");
        assertThat(admit(Admission.of(CrdChannel.EXPERIMENTAL), yaml).warnings()).isEmpty();
    }

    @Test
    void transitionRulesAreSkippedOnCreate() {
        AdmissionResult r = admit("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: archway}
                spec: {controllerName: archway.io/gateway-controller}
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(STANDARD.ruleCount(ResourceKind.GATEWAY_CLASS, "v1")).isPositive();
    }

    @Test
    void anUnservedVersionIsAdmittedByThePreferredVersionsSchema() {
        // TCPRoute v1alpha2 is not served by the standard channel; Archway reads it as v1.
        AdmissionResult r = admit("""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: t}
                spec:
                  parentRefs: [{name: gw}]
                  rules: [{backendRefs: [{name: db, port: 3306}]}]
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.object().at("/spec/parentRefs/0/kind").asText()).isEqualTo("Gateway");
    }

    @Test
    void metadataNameMustBeADnsSubdomain() {
        assertThat(admit(ROUTE.replace("name: r,", "name: Bad_Name,") + "  - backendRefs: [{name: s, port: 1}]\n")
                .errors()).extracting(Violation::field).containsExactly("metadata.name");
    }

    @Test
    void kindsWithoutACrdAreAdmittedUnchanged() throws Exception {
        ObjectNode svc = (ObjectNode) YAML.readTree("{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {x: 1}}");
        AdmissionResult r = STANDARD.admit(ResourceKind.SERVICE, "v1", svc);
        assertThat(r.violations()).isEmpty();
        assertThat(r.object()).isEqualTo(svc);
    }

    @Test
    void isIpFollowsKubernetes() {
        assertThat(KubernetesCel.isIP("10.0.0.1")).isTrue();
        assertThat(KubernetesCel.isIP("::1")).isTrue();
        assertThat(KubernetesCel.isIP("010.0.0.1")).isFalse();
        assertThat(KubernetesCel.isIP("256.0.0.1")).isFalse();
        assertThat(KubernetesCel.isIP("fe80::1%eth0")).isFalse();
        assertThat(KubernetesCel.isIP("::ffff:1.2.3.4")).isFalse();
        assertThat(KubernetesCel.isIP("example.com")).isFalse();
    }

    /** issue 14: the server prepares these kinds on a second thread; the first admission reuses them. */
    @Test
    void preparedSchemasAreCompiledBeforeAnyAdmissionAndReused() {
        Admission fresh = new Admission(CrdChannel.STANDARD);
        assertThat(fresh.schemas).isEmpty();
        fresh.prepare(List.of(ResourceKind.GATEWAY, ResourceKind.HTTP_ROUTE, ResourceKind.SERVICE));
        assertThat(fresh.schemas).containsOnlyKeys("GATEWAY/v1", "HTTP_ROUTE/v1"); // a Service has no CRD
        CrdVersionSchema route = fresh.schemas.get("HTTP_ROUTE/v1");
        assertThat(admit(fresh, ROUTE + "    - backendRefs: [{name: svc, port: 80}]\n").violations()).isEmpty();
        assertThat(fresh.schemas.get("HTTP_ROUTE/v1")).isSameAs(route);
        assertThat(fresh.schemas).hasSize(2);
    }
}
