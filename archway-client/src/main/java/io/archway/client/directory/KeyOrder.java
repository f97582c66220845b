package io.archway.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Puts the keys of a re-serialised document in the order the original document had them (keys the
 * original lacked come after), so a rewritten document differs from its old text only where its
 * content changed.
 */
final class KeyOrder {

    private KeyOrder() {}

    static JsonNode like(JsonNode node, JsonNode original) {
        if (node instanceof ObjectNode obj && original != null && original.isObject()) {
            Set<String> order = new LinkedHashSet<>();
            original.fieldNames().forEachRemaining(order::add);
            obj.fieldNames().forEachRemaining(order::add);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String key : order) {
                if (obj.has(key)) {
                    out.set(key, like(obj.get(key), original.get(key)));
                }
            }
            return out;
        }
        if (node instanceof ArrayNode arr && original != null && original.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            Iterator<JsonNode> it = arr.elements();
            for (int i = 0; it.hasNext(); i++) {
                out.add(like(it.next(), original.get(i)));
            }
            return out;
        }
        return node;
    }
}
