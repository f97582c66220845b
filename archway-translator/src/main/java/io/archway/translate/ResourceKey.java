package io.archway.translate;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies one resource: its kind (e.g. {@code HTTPRoute}), namespace ("" for cluster-scoped
 * kinds such as GatewayClass and Namespace) and name. The API version is not part of the key: the
 * sources normalise every served version to v1.
 */
public record ResourceKey(String kind, String namespace, String name) implements Comparable<ResourceKey> {
    private static final Comparator<ResourceKey> ORDER = Comparator.comparing(ResourceKey::kind)
            .thenComparing(ResourceKey::namespace).thenComparing(ResourceKey::name);

    public ResourceKey {
        Objects.requireNonNull(kind, "kind");
        namespace = namespace == null ? "" : namespace;
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(ResourceKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? kind + " " + name : kind + " " + namespace + "/" + name;
    }
}
