package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Product faults the harness must catch, injected into the harness's view of the world so that
 * the embedded gateway behaves exactly as a faulty build would, without building one. Each fault
 * acts at one seam: the manifests the gateway reads (a rule the product would ignore or
 * mis-default), the bytes the echo backend receives (what a faulty proxy would send), or the
 * status the harness reads (what a faulty status writer would publish).
 * {@code HarnessFaultsTest} runs a conformance test under each fault and expects it to fail.
 */
enum Fault {
    /** The proxy ignores {@code remove} in a backendRef-level RequestHeaderModifier. */
    BACKEND_HEADER_REMOVE_IGNORED,
    /** The proxy adds a second Host line to every upstream request. */
    SECOND_HOST_UPSTREAM,
    /** A RequestRedirect without statusCode answers 301 instead of the spec's default 302. */
    DEFAULT_REDIRECT_301,
    /** A backendRef of weight 0 is served as if it had the default weight 1. */
    WEIGHT_ZERO_SERVED,
    /** Every listener's attachedRoutes counts each route twice. */
    ATTACHED_ROUTES_DOUBLED,
    /** A Gateway without spec.allowedListeners admits ListenerSets from every namespace (the default is None). */
    LISTENER_SETS_ALLOWED_BY_DEFAULT;

    /** Rewrites one manifest document as the faulty product would understand it. */
    void distortManifest(ObjectNode doc) {
        if (this == LISTENER_SETS_ALLOWED_BY_DEFAULT && Json.text(doc, "kind").equals("Gateway")
                && !doc.path("spec").has("allowedListeners")) {
            ((ObjectNode) doc.path("spec")).putObject("allowedListeners").putObject("namespaces").put("from", "All");
            return;
        }
        if (!Json.text(doc, "kind").equals("HTTPRoute")) {
            return;
        }
        for (JsonNode rule : doc.path("spec").path("rules")) {
            switch (this) {
                case BACKEND_HEADER_REMOVE_IGNORED -> {
                    for (JsonNode ref : rule.path("backendRefs")) {
                        for (JsonNode f : ref.path("filters")) {
                            if (f.path("requestHeaderModifier").isObject()) {
                                ((ObjectNode) f.path("requestHeaderModifier")).remove("remove");
                            }
                        }
                    }
                }
                case DEFAULT_REDIRECT_301 -> {
                    for (JsonNode f : rule.path("filters")) {
                        JsonNode redirect = f.path("requestRedirect");
                        if (redirect.isObject() && !redirect.has("statusCode")) {
                            ((ObjectNode) redirect).put("statusCode", 301);
                        }
                    }
                }
                case WEIGHT_ZERO_SERVED -> {
                    for (JsonNode ref : rule.path("backendRefs")) {
                        if (ref.has("weight") && ref.path("weight").asInt() == 0) {
                            ((ObjectNode) ref).put("weight", 1);
                        }
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** Changes a request as the echo backend's decoder would have read it from a faulty proxy. */
    void distortUpstreamRequest(HttpRequest req) {
        if (this == SECOND_HOST_UPSTREAM) {
            String host = req.headers().get(HttpHeaderNames.HOST);
            req.headers().add(HttpHeaderNames.HOST, host == null ? "" : host);
        }
    }

    /** Changes an object's status as a faulty status writer would have published it. */
    void distortStatus(String kind, JsonNode resource) {
        if (this == ATTACHED_ROUTES_DOUBLED && kind.equals("Gateway")) {
            for (JsonNode l : resource.path("status").path("listeners")) {
                ((ObjectNode) l).put("attachedRoutes", 2 * l.path("attachedRoutes").asLong(0));
            }
        }
    }
}
