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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of every resource the translator reads, all at API version v1 (the sources
 * convert v1beta1 / v1alpha2 documents), grouped by {@link ResourceKind}. The fabric8 objects
 * inside are mutable POJOs by nature: nothing downstream of the store may call a setter on them.
 *
 * @param objects the objects of each kind, in the order the source gave them
 * @param locations where each resource was read from, when known (standalone mode)
 */
public record ResourceView(Map<ResourceKind, List<HasMetadata>> objects, Map<ResourceKey, SourceLocation> locations) {

    public ResourceView {
        final Map<ResourceKind, List<HasMetadata>> copy = new EnumMap<>(ResourceKind.class);
        Objects.requireNonNull(objects, "objects").forEach((k, v) -> copy.put(k, List.copyOf(v)));
        objects = java.util.Collections.unmodifiableMap(copy);
        locations = Map.copyOf(Objects.requireNonNull(locations, "locations"));
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
        return new ResourceView(byKind, locations);
    }

    public static ResourceView empty() {
        return new ResourceView(Map.of(), Map.of());
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
        return Optional.ofNullable(locations.get(key));
    }
}
