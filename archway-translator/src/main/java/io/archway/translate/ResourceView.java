package io.archway.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;

/**
 * An immutable view of every resource the translator reads, all at API version v1 (the sources
 * convert v1beta1 / v1alpha2 documents). The fabric8 objects inside are mutable POJOs by nature:
 * nothing downstream of the store may call a setter on them.
 *
 * @param locations where each resource was read from, when known (standalone mode)
 */
public record ResourceView(
        List<GatewayClass> gatewayClasses,
        List<Gateway> gateways,
        List<HTTPRoute> httpRoutes,
        List<ReferenceGrant> referenceGrants,
        List<Service> services,
        List<EndpointSlice> endpointSlices,
        List<Secret> secrets,
        List<ConfigMap> configMaps,
        List<Namespace> namespaces,
        Map<ResourceKey, SourceLocation> locations) {

    public ResourceView {
        gatewayClasses = List.copyOf(Objects.requireNonNull(gatewayClasses, "gatewayClasses"));
        gateways = List.copyOf(Objects.requireNonNull(gateways, "gateways"));
        httpRoutes = List.copyOf(Objects.requireNonNull(httpRoutes, "httpRoutes"));
        referenceGrants = List.copyOf(Objects.requireNonNull(referenceGrants, "referenceGrants"));
        services = List.copyOf(Objects.requireNonNull(services, "services"));
        endpointSlices = List.copyOf(Objects.requireNonNull(endpointSlices, "endpointSlices"));
        secrets = List.copyOf(Objects.requireNonNull(secrets, "secrets"));
        configMaps = List.copyOf(Objects.requireNonNull(configMaps, "configMaps"));
        namespaces = List.copyOf(Objects.requireNonNull(namespaces, "namespaces"));
        locations = Map.copyOf(Objects.requireNonNull(locations, "locations"));
    }

    public static ResourceView empty() {
        return new ResourceView(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), Map.of());
    }

    public Optional<SourceLocation> locationOf(ResourceKey key) {
        return Optional.ofNullable(locations.get(key));
    }
}
