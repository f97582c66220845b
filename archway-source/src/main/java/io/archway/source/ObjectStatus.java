package io.archway.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.archway.translate.StatusReport;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Optional;

/**
 * An object's {@code status} as JSON, the form every status sink writes, and the one rule for
 * {@code lastTransitionTime}: a condition keeps its previous time while its status stays the same
 * (Gateway API conditions follow metav1.Condition: "the last time the condition transitioned from
 * one status to another"); otherwise it gets {@code now}.
 */
public final class ObjectStatus {
    private ObjectStatus() {
    }

    /**
     * The status the translator computed for {@code key} (of {@code kind}), as a fresh JSON tree;
     * empty when the object is not ours (no status of ours). A route's status is its
     * {@code parents}; a BackendTLSPolicy's its {@code ancestors}.
     */
    public static Optional<ObjectNode> of(StatusReport report, ResourceKind kind, ResourceKey key) {
        final Object status = raw(report, kind, key);
        if (status == null) {
            return Optional.empty();
        }
        return Optional.of(json(kind, status));
    }

    /** {@code status}, the translator's status object of an object of {@code kind} ({@link #raw}), as a fresh JSON tree. */
    public static ObjectNode json(ResourceKind kind, Object status) {
        return KubeJson.mapper().valueToTree(kind.isRoute() ? Map.of("parents", Objects.requireNonNull(status)) : status);
    }

    /**
     * The translator's status object of one object, of which {@link #of} is the JSON (for a route, its
     * list of parents), or null. A writer that sees the same instance as last time (the translator
     * reuses an unchanged route's, see {@code TranslationMemo}) may reuse what it wrote for it.
     */
    public static Object raw(StatusReport report, ResourceKind kind, ResourceKey key) {
        if (kind == ResourceKind.GATEWAY_CLASS) {
            return report.gatewayClasses().get(key);
        } else if (kind == ResourceKind.GATEWAY) {
            return report.gateways().get(key);
        } else if (kind == ResourceKind.LISTENER_SET) {
            return report.listenerSets().get(key);
        } else if (kind.isRoute()) {
            return report.routes().get(key);
        } else if (kind == ResourceKind.BACKEND_TLS_POLICY) {
            return report.policies().get(key);
        }
        return null;
    }

    /**
     * Stamps every condition of {@code status} (at any depth: the object's, each listener's, each
     * route parent's) with {@code lastTransitionTime}: the time of the same condition in
     * {@code previous} when its status is the same there, else {@code now}. Conditions are matched by
     * type within the same entry: a list entry is identified by its {@code name} (listeners) or by
     * its {@code parentRef} (route parents) or {@code ancestorRef} (policy ancestors) and
     * {@code controllerName}.
     *
     * @param previous the status last written or published for this object; null for none
     */
    public static void stampTransitions(ObjectNode status, JsonNode previous, String now) {
        Map<String, JsonNode> before = new HashMap<>();
        if (previous != null && previous.isObject()) {
            collect("", previous, before);
        }
        Map<String, JsonNode> after = new HashMap<>();
        collect("", status, after);
        for (Entry<String, JsonNode> e : after.entrySet()) {
            ObjectNode c = (ObjectNode) e.getValue();
            JsonNode old = before.get(e.getKey());
            boolean same = old != null && Objects.equals(old.path("status").asText(null), c.path("status").asText(null))
                    && old.hasNonNull("lastTransitionTime");
            c.put("lastTransitionTime", same ? old.get("lastTransitionTime").asText() : now);
        }
    }

    /** Every condition under {@code node}, by scope (the path of entry identities) and type. */
    private static void collect(String scope, JsonNode node, Map<String, JsonNode> out) {
        if (!node.isObject()) {
            return;
        }
        Iterator<Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Entry<String, JsonNode> f = fields.next();
            if (!f.getValue().isArray()) {
                continue;
            }
            ArrayNode array = (ArrayNode) f.getValue();
            if (f.getKey().equals("conditions")) {
                for (JsonNode c : array) {
                    if (c.isObject()) {
                        out.put(scope + "|" + c.path("type").asText(), c);
                    }
                }
            } else {
                for (JsonNode entry : array) {
                    collect(scope + "|" + f.getKey() + "=" + identity(entry), entry, out);
                }
            }
        }
    }

    private static String identity(JsonNode entry) {
        if (entry.has("name")) {
            return entry.get("name").asText();
        }
        // A route parent or a policy ancestor: its reference as the API server defaults it, and the
        // controller writing it.
        JsonNode p = entry.has("ancestorRef") ? entry.path("ancestorRef") : entry.path("parentRef");
        return p.path("group").asText(ResourceKind.GATEWAY_GROUP) + "/" + p.path("kind").asText("Gateway") + "/"
                + p.path("namespace").asText("") + "/" + p.path("name").asText("") + "/"
                + p.path("sectionName").asText("") + "/" + p.path("port").asText("") + "/"
                + entry.path("controllerName").asText();
    }
}
