package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The API server's structural defaulting (apiextensions {@code structuraldefaulting.Default} and
 * {@code PruneNonNullableNullsWithoutDefaults}): an absent property with a default gets a copy of
 * it, as does a null that its schema does not allow; then defaulting goes on below, so a default
 * object gets its own fields' defaults. A null without a default where null is not allowed is
 * dropped. Runs after pruning and before validation, as in the API server.
 */
final class Defaulting {
    private Defaulting() {
    }

    static void apply(JsonNode value, StructuralSchema schema) {
        if (schema == null || value == null) {
            return;
        }
        if (value instanceof ObjectNode obj) {
            for (Map.Entry<String, StructuralSchema> p : schema.properties.entrySet()) {
                StructuralSchema prop = p.getValue();
                JsonNode current = obj.get(p.getKey());
                if (prop.defaultValue != null && (current == null || nonNullableNull(current, prop))) {
                    obj.set(p.getKey(), prop.defaultValue.deepCopy());
                }
            }
            List<String> nulls = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                StructuralSchema child = schema.child(e.getKey());
                if (child == null) {
                    continue;
                }
                if (nonNullableNull(e.getValue(), child)) {
                    if (child.defaultValue != null) {
                        e.setValue(child.defaultValue.deepCopy());
                    } else {
                        nulls.add(e.getKey());
                        continue;
                    }
                }
                apply(e.getValue(), child);
            }
            nulls.forEach(obj::remove);
        } else if (value instanceof ArrayNode array && schema.items != null) {
            for (int i = 0; i < array.size(); i++) {
                if (nonNullableNull(array.get(i), schema.items) && schema.items.defaultValue != null) {
                    array.set(i, schema.items.defaultValue.deepCopy());
                }
                apply(array.get(i), schema.items);
            }
        }
    }

    /** Defaults the property {@code name} of {@code parent} (absent or a disallowed null) and below it. */
    static void applyProperty(ObjectNode parent, String name, StructuralSchema prop) {
        JsonNode current = parent.get(name);
        if (prop.defaultValue != null && (current == null || nonNullableNull(current, prop))) {
            parent.set(name, prop.defaultValue.deepCopy());
        } else if (current != null && nonNullableNull(current, prop)) {
            parent.remove(name);
            return;
        }
        apply(parent.get(name), prop);
    }

    private static boolean nonNullableNull(JsonNode v, StructuralSchema s) {
        return v.isNull() && !s.nullable;
    }
}
