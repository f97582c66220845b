package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** The defaulting rules for references, and resource keys; the kinds themselves are {@link ResourceKind}. */
public final class Kinds {
    private Kinds() {
    }

    /** The key of a resource of a known kind (the object's own {@code kind} may be unset). */
    public static ResourceKey keyOf(ResourceKind kind, HasMetadata object) {
        return new ResourceKey(kind.kind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** A reference's group: unset means the core group for object references. */
    public static String coreGroupIfUnset(String group) {
        return group == null ? ResourceKind.CORE_GROUP : group;
    }

    public static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
