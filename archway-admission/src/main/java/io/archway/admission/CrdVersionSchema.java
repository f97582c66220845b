package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One served version of a CRD, compiled once: its structural schema with its patterns and CEL rules.
 * {@link #admit} runs the API server's steps for a create in its order: prune unknown fields,
 * default, validate against the schema, then (unless a type or enum error blocks them, as
 * {@code hasBlockingErr} does) evaluate the CEL rules.
 *
 * <p>{@code metadata} is the API server's ObjectMeta, checked by {@link ObjectMetaValidation}, not by
 * the schema; {@code status} is left alone, because a create through the main resource of a CRD with
 * a status subresource ignores it.
 */
final class CrdVersionSchema {
    private static final String METADATA = "metadata";
    private static final String STATUS = "status";

    private final String version;
    private final StructuralSchema root;

    /** The version named {@code version} whose {@code schema.openAPIV3Schema} is {@code openApiV3Schema}. */
    CrdVersionSchema(String version, JsonNode openApiV3Schema, Cel cel) {
        this.version = version;
        this.root = StructuralSchema.compile(openApiV3Schema, cel);
    }

    String version() {
        return version;
    }

    StructuralSchema root() {
        return root;
    }

    AdmissionResult admit(ObjectNode object, boolean namespaced) {
        ObjectNode obj = object.deepCopy();
        List<Violation> violations = new ArrayList<>();
        ObjectMetaValidation.validate(obj.get(METADATA), namespaced, violations);
        for (Map.Entry<String, StructuralSchema> p : root.properties.entrySet()) {
            String name = p.getKey();
            if (name.equals(METADATA) || name.equals(STATUS)) {
                continue;
            }
            JsonNode value = obj.get(name);
            if (value != null) {
                Pruning.prune(value, p.getValue(), name, violations);
            }
        }
        for (Map.Entry<String, StructuralSchema> p : root.properties.entrySet()) {
            if (!p.getKey().equals(METADATA) && !p.getKey().equals(STATUS)) {
                Defaulting.applyProperty(obj, p.getKey(), p.getValue());
            }
        }
        for (Map.Entry<String, StructuralSchema> p : root.properties.entrySet()) {
            String name = p.getKey();
            if (name.equals(METADATA) || name.equals(STATUS)) {
                continue;
            }
            if (root.required.contains(name) && !obj.has(name)) {
                violations.add(new Violation(name, Violation.Type.REQUIRED, ""));
            }
            SchemaValidation.validate(obj.get(name), p.getValue(), name, violations);
        }
        if (blocksRules(violations)) {
            violations.add(new Violation("", Violation.Type.INVALID, "some validation rules were not checked because"
                    + " the object was invalid; correct the existing errors to complete validation"));
        } else {
            evaluateRules(obj, violations);
        }
        return new AdmissionResult(obj, violations);
    }

    private static boolean blocksRules(List<Violation> violations) {
        for (Violation v : violations) {
            if (v.type().blocksRules()) {
                return true;
            }
        }
        return false;
    }

    private void evaluateRules(ObjectNode obj, List<Violation> out) {
        Map<String, Object> self = new LinkedHashMap<>();
        for (Map.Entry<String, StructuralSchema> p : root.properties.entrySet()) {
            String name = p.getKey();
            JsonNode value = obj.get(name);
            if (value == null || name.equals(STATUS)) {
                continue;
            }
            if (name.equals(METADATA)) {
                // CEL sees only metadata.name and metadata.generateName
                Map<String, Object> meta = new LinkedHashMap<>();
                for (String f : List.of("name", "generateName")) {
                    if (value.hasNonNull(f)) {
                        meta.put(f, value.get(f).asText());
                    }
                }
                self.put(name, meta);
                continue;
            }
            Object unstructured = RuleEvaluation.unstructured(value, p.getValue());
            self.put(name, unstructured);
            RuleEvaluation.evaluate(unstructured, p.getValue(), name, out);
        }
        for (CompiledRule rule : root.rules) {
            rule.evaluate(self, "", "object", out);
        }
    }
}
