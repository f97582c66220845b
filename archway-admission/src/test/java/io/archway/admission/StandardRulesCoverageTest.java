package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every CEL rule ({@code x-kubernetes-validations}) of every served version of the standard channel's
 * CRDs has a violating and a passing case, from the table {@code standard-rules.yaml} (or from
 * {@link FilterRulesTest}, which generates the per-filter-type rules).
 *
 * <p>A rule location is (kind, version, schema path, rule); the table names a rule by its kind, schema
 * path and message (unique per path: {@link #aMessageNamesOneRulePerLocation}). A case runs at every
 * served version carrying the rule. Its violating object must be refused with exactly one error, the
 * rule's own message at the expected field, as the API server answers; its passing object must be
 * admitted. Transition rules (reading {@code oldSelf}) are skipped on a create, so their case proves
 * the create is admitted; rules under {@code status} are not checked on a create either (the status
 * subresource drops status), so their case proves an object with a violating status is admitted.
 *
 * <p>Filter cases ({@code at: filters}) give a filters list and a path relative to it; they run both
 * at rule level ({@code spec.rules[0].filters}) and at backendRef level
 * ({@code spec.rules[0].backendRefs[0].filters}), covering the rule at both schema paths.
 */
class StandardRulesCoverageTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Admission STANDARD = Admission.of(CrdChannel.STANDARD);
    private static final String GROUP = ResourceKind.GATEWAY_GROUP;

    /** One rule of one served version, where the API server would evaluate it. */
    record RuleLocation(String kind, String version, String path, String rule, String message, String schemaType) {
        String key() {
            return kind + " " + path + " " + message;
        }
    }

    /** A table row, after expanding {@code kinds} and filter levels. */
    record Case(String name, String kind, String path, String message, String skip, ObjectNode violating,
            ObjectNode passing, String field, List<String> expect) {
        String key() {
            return kind + " " + path + " " + message;
        }
    }

    static List<RuleLocation> standardRules() {
        List<RuleLocation> out = new ArrayList<>();
        for (ResourceKind kind : ResourceKind.all()) {
            PackagedCrds.definition(CrdChannel.STANDARD, kind).ifPresent(crd -> {
                for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
                    if (Boolean.TRUE.equals(v.getServed())) {
                        walk(v.getSchema().getOpenAPIV3Schema(), "", kind.kind(), v.getName(), out);
                    }
                }
            });
        }
        return out;
    }

    private static void walk(JSONSchemaProps s, String path, String kind, String version, List<RuleLocation> out) {
        if (s.getXKubernetesValidations() != null) {
            for (ValidationRule r : s.getXKubernetesValidations()) {
                out.add(new RuleLocation(kind, version, path, r.getRule(), r.getMessage(), s.getType()));
            }
        }
        if (s.getProperties() != null) {
            s.getProperties().forEach((name, child) -> walk(child, path + "." + name, kind, version, out));
        }
        if (s.getItems() != null && s.getItems().getSchema() != null) {
            walk(s.getItems().getSchema(), path + "[*]", kind, version, out);
        }
        if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
            walk(s.getAdditionalProperties().getSchema(), path + "[*]", kind, version, out);
        }
    }

    static List<Case> table() {
        JsonNode rows;
        try (InputStream in = StandardRulesCoverageTest.class.getResourceAsStream("standard-rules.yaml")) {
            rows = YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode row : rows) {
            List<String> kinds = new ArrayList<>();
            if (row.has("kinds")) {
                row.get("kinds").forEach(k -> kinds.add(k.asText()));
            } else {
                kinds.add(row.get("kind").asText());
            }
            String skip = row.path("skip").asText(null);
            String message = row.get("message").asText();
            String field = row.path("field").asText("");
            List<String> expect = new ArrayList<>();
            row.path("expect").forEach(e -> expect.add(e.asText()));
            for (String kind : kinds) {
                if ("filters".equals(row.path("at").asText())) {
                    for (boolean backend : List.of(false, true)) {
                        String base = backend ? "spec.rules[0].backendRefs[0].filters" : "spec.rules[0].filters";
                        String schemaBase = backend ? ".spec.rules[*].backendRefs[*].filters" : ".spec.rules[*].filters";
                        cases.add(new Case(kind + " " + base + row.get("path").asText() + ": " + message, kind,
                                schemaBase + row.get("path").asText(), message, skip,
                                filtersRoute(kind, backend, row.get("violating")),
                                filtersRoute(kind, backend, row.get("passing")), base + field, expect));
                    }
                } else {
                    cases.add(new Case(kind + " " + row.get("path").asText() + ": " + message, kind,
                            row.get("path").asText(), message, skip, object(kind, row.get("violating")),
                            object(kind, row.get("passing")), field, expect));
                }
            }
        }
        return cases;
    }

    /** The kind's minimal valid spec, with the case's top-level spec fields replacing its own. */
    private static ObjectNode object(String kind, JsonNode spec) {
        ObjectNode obj = YAML.createObjectNode();
        obj.put("apiVersion", GROUP + "/v1");
        obj.put("kind", kind);
        obj.putObject("metadata").put("name", "x").put("namespace", "default");
        ObjectNode s = base(kind);
        if (spec != null) {
            spec.fields().forEachRemaining(f -> s.set(f.getKey(), f.getValue().deepCopy()));
            if (spec.has("status")) {
                s.remove("status");
                obj.set("status", spec.get("status").deepCopy());
            }
        }
        obj.set("spec", s);
        return obj;
    }

    private static ObjectNode base(String kind) {
        String yaml;
        switch (kind) {
            case "Gateway":
                yaml = "{gatewayClassName: archway, listeners: [{name: h, protocol: HTTP, port: 80}]}";
                break;
            case "ListenerSet":
                yaml = "{parentRef: {name: gw}, listeners: [{name: h, protocol: HTTP, port: 80}]}";
                break;
            case "GatewayClass":
                yaml = "{controllerName: archway.io/gateway-controller}";
                break;
            case "BackendTLSPolicy":
                yaml = "{targetRefs: [{group: '', kind: Service, name: svc}],"
                        + " validation: {hostname: example.com, wellKnownCACertificates: System}}";
                break;
            case "HTTPRoute":
            case "GRPCRoute":
                yaml = "{parentRefs: [{name: gw}]}";
                break;
            case "TLSRoute":
                yaml = "{parentRefs: [{name: gw}], hostnames: [a.example.com], rules: [{backendRefs: [{name: s, port: 80}]}]}";
                break;
            default: // TCPRoute, UDPRoute need a rule with a backend
                yaml = "{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: s, port: 80}]}]}";
        }
        try {
            return (ObjectNode) YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode filtersRoute(String kind, boolean backend, JsonNode filters) {
        ObjectNode spec = YAML.createObjectNode();
        ArrayNode rules = spec.putArray("rules");
        ObjectNode rule = rules.addObject();
        if (backend) {
            ObjectNode ref = rule.putArray("backendRefs").addObject().put("name", "svc").put("port", 80);
            ref.set("filters", filters.deepCopy());
        } else {
            rule.set("filters", filters.deepCopy());
        }
        return object(kind, spec);
    }

    private static ObjectNode atVersion(ObjectNode obj, String version) {
        ObjectNode copy = obj.deepCopy();
        copy.put("apiVersion", GROUP + "/" + version);
        return copy;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseBehavesAsTheApiServer() {
        Map<String, List<RuleLocation>> rules = standardRules().stream()
                .collect(Collectors.groupingBy(RuleLocation::key));
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : table()) {
            List<RuleLocation> at = rules.getOrDefault(c.key(), List.of());
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                assertThat(at).as("the rule of case " + c.name() + " in the standard CRDs").isNotEmpty();
                for (RuleLocation rule : at) {
                    check(c, rule);
                }
            }));
        }
        return tests.stream();
    }

    private static void check(Case c, RuleLocation rule) {
        ResourceKind kind = ResourceKind.byKind(c.kind()).orElseThrow();
        AdmissionResult passing = STANDARD.admit(kind, rule.version(), atVersion(c.passing(), rule.version()));
        assertThat(passing.errors()).as(rule.version() + " passing " + c.passing()).isEmpty();
        AdmissionResult violating = STANDARD.admit(kind, rule.version(), atVersion(c.violating(), rule.version()));
        if ("transition".equals(c.skip())) {
            // Skipped on a create, as the API server skips rules reading oldSelf without an old object.
            assertThat(compiled(kind, rule.version()))
                    .anySatisfy(r -> {
                        assertThat(r.rule()).isEqualTo(rule.rule());
                        assertThat(r.transition()).isTrue();
                    });
            assertThat(violating.errors()).as(rule.version() + " create " + c.violating()).isEmpty();
            return;
        }
        if ("status".equals(c.skip())) {
            assertThat(rule.path()).startsWith(".status");
            assertThat(violating.errors()).as(rule.version() + " create with status " + c.violating()).isEmpty();
            return;
        }
        String own = c.field() + ": Invalid value: \"" + rule.schemaType() + "\": " + rule.message();
        List<String> expected = c.expect().isEmpty() ? List.of(own)
                : c.expect().stream().map(e -> e.replace("{rule}", own)).toList();
        assertThat(violating.errors()).as(rule.version() + " violating " + c.violating())
                .extracting(Violation::toString).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static List<CompiledRule> compiled(ResourceKind kind, String version) {
        List<CompiledRule> out = new ArrayList<>();
        STANDARD.schema(kind, version).orElseThrow().root().collectRules(out);
        return out;
    }

    @Test
    void everyStandardRuleHasACase() {
        Set<String> covered = new LinkedHashSet<>();
        table().forEach(c -> covered.add(c.key()));
        covered.addAll(FilterRulesTest.coveredRules());
        List<String> missing = standardRules().stream().filter(r -> !covered.contains(r.key()))
                .map(r -> r.kind() + " " + r.version() + " " + r.path() + ": " + r.rule() + " (" + r.message() + ")")
                .toList();
        assertThat(missing).as("standard-channel CEL rules without a case in standard-rules.yaml").isEmpty();
    }

    @Test
    void aMessageNamesOneRulePerLocation() {
        Map<String, Set<String>> texts = standardRules().stream().collect(Collectors.groupingBy(RuleLocation::key,
                Collectors.mapping(RuleLocation::rule, Collectors.toSet())));
        assertThat(texts.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList())
                .isEmpty();
        assertThat(standardRules()).hasSize(272);
    }
}
