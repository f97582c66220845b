package io.archway.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import java.util.Map;
import java.util.Objects;

/**
 * The status the translator computed for every resource it owns, as fabric8 status objects so
 * they serialise exactly as on a cluster. The translator builds these fresh (it never mutates its
 * input) and leaves every condition's {@code lastTransitionTime} null: only a status writer, which
 * knows the previous value, may stamp it.
 */
public record StatusReport(Map<ResourceKey, GatewayClassStatus> gatewayClasses,
                           Map<ResourceKey, GatewayStatus> gateways,
                           Map<ResourceKey, HTTPRouteStatus> httpRoutes) {
    public StatusReport {
        gatewayClasses = Map.copyOf(Objects.requireNonNull(gatewayClasses, "gatewayClasses"));
        gateways = Map.copyOf(Objects.requireNonNull(gateways, "gateways"));
        httpRoutes = Map.copyOf(Objects.requireNonNull(httpRoutes, "httpRoutes"));
    }
}
