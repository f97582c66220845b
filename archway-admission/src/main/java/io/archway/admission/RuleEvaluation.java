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
 * {@code self} bound to that value in its unstructured form, object properties under their escaped
 * CEL names ({@link KubernetesCel#escape}).
 */
final class RuleEvaluation {
    private RuleEvaluation() {
    }

    /** Evaluates the rules at and below {@code s} for {@code value}, the {@link #unstructured} form. */
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
            for (Map.Entry<String, StructuralSchema> p : s.properties.entrySet()) {
                Object child = map.get(KubernetesCel.escape(p.getKey()));
                if (child != null) {
                    evaluate(child, p.getValue(), Paths.field(path, p.getKey()), out);
                }
            }
            if (s.additionalProperties != null && s.properties.isEmpty()) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    evaluate(e.getValue(), s.additionalProperties, Paths.key(path, (String) e.getKey()), out);
                }
            }
        } else if (value instanceof List<?> list && s.items != null) {
            for (int i = 0; i < list.size(); i++) {
                evaluate(list.get(i), s.items, Paths.index(path, i), out);
            }
        }
    }

    /**
     * The unstructured form CEL sees of {@code n} under schema {@code s}: maps (object properties
     * under their escaped names, map keys as they are), lists, String, Long, Double, Boolean, null.
     */
    static Object unstructured(JsonNode n, StructuralSchema s) {
        if (n.isObject()) {
            boolean properties = s != null && s.additionalProperties == null;
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                StructuralSchema child = s == null ? null : s.child(e.getKey());
                m.put(properties ? KubernetesCel.escape(e.getKey()) : e.getKey(), unstructured(e.getValue(), child));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            StructuralSchema items = s == null ? null : s.items;
            for (JsonNode item : n) {
                l.add(unstructured(item, items));
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
