package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.NullValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the {@code x-kubernetes-validations} rules of a schema over an (already pruned,
 * defaulted and schema-valid) object, as the API server's CEL validator: at every schema node with
 * rules, for every value present there (each item of a list, each value of a map), with
 * {@code self} bound to that value in its unstructured form.
 */
final class RuleEvaluation {
    private RuleEvaluation() {
    }

    static void evaluate(Object value, StructuralSchema s, String path, List<Violation> out) {
        if (s == null || value == null || value == NullValue.NULL_VALUE) {
            return;
        }
        if (!s.rules.isEmpty()) {
            String typeName = s.type != null ? s.type : s.intOrString ? (value instanceof String ? "string" : "integer")
                    : "object";
            for (CompiledRule rule : s.rules) {
                rule.evaluate(value, path, typeName, out);
            }
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = (String) e.getKey();
                StructuralSchema prop = s.properties.get(key);
                if (prop != null) {
                    evaluate(e.getValue(), prop, Paths.field(path, key), out);
                } else if (s.additionalProperties != null) {
                    evaluate(e.getValue(), s.additionalProperties, Paths.key(path, key), out);
                }
            }
        } else if (value instanceof List<?> list && s.items != null) {
            for (int i = 0; i < list.size(); i++) {
                evaluate(list.get(i), s.items, Paths.index(path, i), out);
            }
        }
    }

    /** The unstructured form CEL sees: maps, lists, String, Long, Double, Boolean, null. */
    static Object unstructured(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), unstructured(e.getValue()));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode item : n) {
                l.add(unstructured(item));
            }
            return l;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return NullValue.NULL_VALUE;
    }
}
