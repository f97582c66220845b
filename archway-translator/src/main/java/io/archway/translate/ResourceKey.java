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

    // equals and hashCode written out, as the record would generate them (the same hash): a record's
    // own are linked on their first call by java.lang.runtime.ObjectMethods, which builds and spins
    // method handles on every start (the JDK 25 AOT cache links lambdas and string concatenation
    // ahead of time, not these); this key's first use cost tens of ms of a start-up
    // (docs/PERFORMANCE.md, start-up, session 8).
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ResourceKey k
                && kind.equals(k.kind) && namespace.equals(k.namespace) && name.equals(k.name);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + namespace.hashCode()) * 31 + name.hashCode();
    }
}
