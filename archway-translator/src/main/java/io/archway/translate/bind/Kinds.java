package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** API groups and kinds as the spec names them, and the defaulting rules for references. */
public final class Kinds {
    private Kinds() {
    }

    public static final String GATEWAY_GROUP = "gateway.networking.k8s.io";
    public static final String CORE_GROUP = "";
    public static final String GATEWAY_CLASS = "GatewayClass";
    public static final String GATEWAY = "Gateway";
    public static final String HTTP_ROUTE = "HTTPRoute";
    public static final String SERVICE = "Service";
    public static final String SECRET = "Secret";
    public static final String CONFIG_MAP = "ConfigMap";

    /** The key of a resource of a known kind (the object's own {@code kind} may be unset). */
    public static ResourceKey keyOf(String kind, HasMetadata object) {
        return new ResourceKey(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** A reference's group: unset means the core group for object references. */
    public static String coreGroupIfUnset(String group) {
        return group == null ? CORE_GROUP : group;
    }

    public static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
