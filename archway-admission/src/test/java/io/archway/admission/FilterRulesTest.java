package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The filter rules of the standard channel's HTTPRoute and GRPCRoute, generated: for every filter
 * type, at rule level and at backendRef level, "filter.X must be specified for T filter.type" and
 * "filter.X must be nil if the filter.type is not T" each refuse their violating filter with the
 * CRD's message at the filter's path and admit the filter written right.
 */
class FilterRulesTest {
    private static final Map<String, String> HTTP = new LinkedHashMap<>();
    private static final Map<String, String> GRPC = new LinkedHashMap<>();

    static {
        HTTP.put("RequestHeaderModifier", "requestHeaderModifier: {add: [{name: a, value: b}]}");
        HTTP.put("ResponseHeaderModifier", "responseHeaderModifier: {add: [{name: a, value: b}]}");
        HTTP.put("RequestMirror", "requestMirror: {backendRef: {name: m, port: 80}}");
        HTTP.put("RequestRedirect", "requestRedirect: {scheme: https}");
        HTTP.put("URLRewrite", "urlRewrite: {hostname: example.com}");
        HTTP.put("ExtensionRef", "extensionRef: {group: example.com, kind: Foo, name: f}");
        HTTP.put("CORS", "cors: {allowOrigins: [\"https://a.example.com\"]}");
        GRPC.put("RequestHeaderModifier", "requestHeaderModifier: {add: [{name: a, value: b}]}");
        GRPC.put("ResponseHeaderModifier", "responseHeaderModifier: {add: [{name: a, value: b}]}");
        GRPC.put("RequestMirror", "requestMirror: {backendRef: {name: m, port: 80}}");
        GRPC.put("ExtensionRef", "extensionRef: {group: example.com, kind: Foo, name: f}");
    }

    /**
     * The rules this test covers, as {@link StandardRulesCoverageTest} names them: kind, schema path and
     * message.
     */
    static java.util.Set<String> coveredRules() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String kind : List.of("HTTPRoute", "GRPCRoute")) {
            Map<String, String> samples = kind.equals("HTTPRoute") ? HTTP : GRPC;
            for (String at : List.of(".spec.rules[*].filters[*]", ".spec.rules[*].backendRefs[*].filters[*]")) {
                for (Map.Entry<String, String> e : samples.entrySet()) {
                    String field = e.getValue().substring(0, e.getValue().indexOf(':'));
                    out.add(kind + " " + at + " filter." + field + " must be specified for " + e.getKey() + " filter.type");
                    out.add(kind + " " + at + " filter." + field + " must be nil if the filter.type is not " + e.getKey());
                }
            }
        }
        return out;
    }

    private static String route(String kind, String version, boolean backendLevel, String filter) {
        String filters = "filters: [{" + filter + "}]";
        String rule = backendLevel ? "  - backendRefs: [{name: svc, port: 80, " + filters + "}]\n"
                : "  - " + filters + "\n";
        return "apiVersion: gateway.networking.k8s.io/" + version + "\nkind: " + kind + "\nmetadata: {name: r}\nspec:\n  rules:\n" + rule;
    }

    @TestFactory
    Stream<DynamicTest> everyFilterTypeNeedsItsOwnFieldAndNoOther() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String kind : List.of("HTTPRoute", "GRPCRoute")) {
            Map<String, String> samples = kind.equals("HTTPRoute") ? HTTP : GRPC;
            // HTTPRoute v1beta1 is served with the same rules: the same objects exercise them there too.
            List<String> versions = kind.equals("HTTPRoute") ? List.of("v1", "v1beta1") : List.of("v1");
            for (boolean backendLevel : List.of(false, true)) {
                String at = backendLevel ? "spec.rules[0].backendRefs[0].filters[0]" : "spec.rules[0].filters[0]";
                for (Map.Entry<String, String> e : samples.entrySet()) {
                    String type = e.getKey();
                    String field = e.getValue().substring(0, e.getValue().indexOf(':'));
                    String other = samples.keySet().stream().filter(t -> !t.equals(type)).findFirst().orElseThrow();
                    tests.add(DynamicTest.dynamicTest(kind + " " + at + " " + type, () -> versions.forEach(v -> {
                        expectRefused(route(kind, v, backendLevel, "type: " + type), at,
                                "filter." + field + " must be specified for " + type + " filter.type");
                        expectRefused(route(kind, v, backendLevel, "type: " + other + ", " + samples.get(other) + ", "
                                + e.getValue()), at, "filter." + field + " must be nil if the filter.type is not " + type);
                        assertThat(AdmissionTest.admit(route(kind, v, backendLevel, "type: " + type + ", " + e.getValue()))
                                .errors()).as("passing case").isEmpty();
                    })));
                }
            }
        }
        return tests.stream();
    }

    private static void expectRefused(String yaml, String field, String message) {
        // exactly this rule's refusal: the violating filter breaks no other rule
        assertThat(AdmissionTest.admit(yaml).errors()).as(yaml).extracting(Violation::toString)
                .containsExactly(field + ": Invalid value: \"object\": " + message);
    }
}
