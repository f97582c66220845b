package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The API server's pruning of unknown fields (apiextensions {@code structuralpruning}): below a
 * schema with {@code properties}, fields the schema does not know are dropped, unless the node
 * preserves unknown fields or has {@code additionalProperties}. Each pruned field is reported as the
 * API server's field-validation warning {@code unknown field "spec.x"}.
 */
final class Pruning {
    private Pruning() {
    }

    static void prune(JsonNode value, StructuralSchema schema, String path, List<Violation> warnings) {
        if (schema == null || value == null) {
            return;
        }
        if (value instanceof ObjectNode obj) {
            if (!schema.keepsUnknownFields()) {
                List<String> unknown = new ArrayList<>();
                for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!schema.properties.containsKey(name)) {
                        unknown.add(name);
                    }
                }
                for (String name : unknown) {
                    obj.remove(name);
                    warnings.add(new Violation(Paths.field(path, name), Violation.Type.UNKNOWN_FIELD, ""));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                StructuralSchema child = schema.properties.get(e.getKey());
                if (child != null) {
                    prune(e.getValue(), child, Paths.field(path, e.getKey()), warnings);
                } else if (schema.additionalProperties != null) {
                    prune(e.getValue(), schema.additionalProperties, Paths.key(path, e.getKey()), warnings);
                }
            }
        } else if (value instanceof ArrayNode array && schema.items != null) {
            for (int i = 0; i < array.size(); i++) {
                prune(array.get(i), schema.items, Paths.index(path, i), warnings);
            }
        }
    }
}
