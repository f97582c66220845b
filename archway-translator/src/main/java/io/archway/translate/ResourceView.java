package io.archway.translate;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An immutable view of every resource the translator reads, all at API version v1 (the sources
 * convert v1beta1 / v1alpha2 documents), grouped by {@link ResourceKind}. The fabric8 objects
 * inside are mutable POJOs by nature: nothing downstream of the store may call a setter on them.
 *
 * <p>A view is built either from objects ({@link #of}, which copies) or by a store that keeps its
 * objects per kind ({@link #ofKinds}): there a change to one route gives a new view that shares
 * every other kind's list and costs one copy of the changed kind's references (issue 14: a
 * one-route change must not cost a pass over 10,000 objects), and locations are looked up on
 * demand (diagnostics only) instead of copied into a map per view.
 */
public final class ResourceView {
    private static final ResourceView EMPTY = new ResourceView(Map.of(), key -> null, Map.of(), true);

    private final Map<ResourceKind, List<HasMetadata>> objects;
    private final Function<ResourceKey, SourceLocation> locationOf;
    /** The locations as given to {@link #of}; null for a store's view (computed on demand). */
    private final Map<ResourceKey, SourceLocation> locations;
    private final boolean inKeyOrder;

    private ResourceView(Map<ResourceKind, List<HasMetadata>> objects, Function<ResourceKey, SourceLocation> locationOf,
                         Map<ResourceKey, SourceLocation> locations, boolean inKeyOrder) {
        this.objects = objects;
        this.locationOf = locationOf;
        this.locations = locations;
        this.inKeyOrder = inKeyOrder;
    }

    /**
     * The view of {@code objects}, each filed under its kind by its model class; objects of no
     * registered kind (or not at the version the translator reads) are left out.
     */
    public static ResourceView of(Collection<? extends HasMetadata> objects, Map<ResourceKey, SourceLocation> locations) {
        final Map<ResourceKind, List<HasMetadata>> byKind = new EnumMap<>(ResourceKind.class);
        for (HasMetadata o : objects) {
            ResourceKind.of(o).ifPresent(k -> byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(o));
        }
        final Map<ResourceKind, List<HasMetadata>> copy = new EnumMap<>(ResourceKind.class);
        byKind.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        final Map<ResourceKey, SourceLocation> located = Map.copyOf(Objects.requireNonNull(locations, "locations"));
        return new ResourceView(Collections.unmodifiableMap(copy), located::get, located, false);
    }

    /**
     * A store's view, taken as given: {@code objects} (each kind's objects of its model class) and
     * every list in it must never change afterwards, each in key order (namespace, then name: the
     * translator relies on it, see {@link #inKeyOrder()}), and {@code locationOf} must answer for
     * the same objects (null when a resource's location is not known).
     */
    public static ResourceView ofKinds(Map<ResourceKind, List<HasMetadata>> objects,
                                       Function<ResourceKey, SourceLocation> locationOf) {
        return new ResourceView(Collections.unmodifiableMap(new EnumMap<>(objects)),
                Objects.requireNonNull(locationOf, "locationOf"), null, true);
    }

    /**
     * Whether each kind's objects are known to be in key order (a store's view): else, in the order
     * the source gave them.
     */
    public boolean inKeyOrder() {
        return inKeyOrder;
    }

    public static ResourceView empty() {
        return EMPTY;
    }

    /** The objects of each kind, in the order the source gave them. */
    public Map<ResourceKind, List<HasMetadata>> objects() {
        return objects;
    }

    /** Where each resource was read from, when known (standalone mode). */
    public Map<ResourceKey, SourceLocation> locations() {
        if (locations != null) {
            return locations;
        }
        final Map<ResourceKey, SourceLocation> out = new HashMap<>();
        objects.forEach((kind, list) -> list.forEach(o -> {
            final ResourceKey key = new ResourceKey(kind.kind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
            final SourceLocation at = locationOf.apply(key);
            if (at != null) {
                out.put(key, at);
            }
        }));
        return Map.copyOf(out);
    }

    /** The objects of one kind, as the kind's model class. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(ResourceKind kind) {
        return (List<T>) objects.getOrDefault(kind, List.of());
    }

    public List<GatewayClass> gatewayClasses() {
        return list(ResourceKind.GATEWAY_CLASS);
    }

    public List<Gateway> gateways() {
        return list(ResourceKind.GATEWAY);
    }

    public List<ListenerSet> listenerSets() {
        return list(ResourceKind.LISTENER_SET);
    }

    public List<HTTPRoute> httpRoutes() {
        return list(ResourceKind.HTTP_ROUTE);
    }

    public List<GRPCRoute> grpcRoutes() {
        return list(ResourceKind.GRPC_ROUTE);
    }

    public List<TLSRoute> tlsRoutes() {
        return list(ResourceKind.TLS_ROUTE);
    }

    public List<TCPRoute> tcpRoutes() {
        return list(ResourceKind.TCP_ROUTE);
    }

    public List<UDPRoute> udpRoutes() {
        return list(ResourceKind.UDP_ROUTE);
    }

    public List<ReferenceGrant> referenceGrants() {
        return list(ResourceKind.REFERENCE_GRANT);
    }

    public List<Service> services() {
        return list(ResourceKind.SERVICE);
    }

    public List<EndpointSlice> endpointSlices() {
        return list(ResourceKind.ENDPOINT_SLICE);
    }

    public List<Secret> secrets() {
        return list(ResourceKind.SECRET);
    }

    public List<ConfigMap> configMaps() {
        return list(ResourceKind.CONFIG_MAP);
    }

    public List<Namespace> namespaces() {
        return list(ResourceKind.NAMESPACE);
    }

    public Optional<SourceLocation> locationOf(ResourceKey key) {
        return Optional.ofNullable(locationOf.apply(key));
    }
}
