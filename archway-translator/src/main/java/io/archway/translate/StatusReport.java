package io.archway.translate;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The status the translator computed for every resource it owns, as fabric8 status objects so
 * they serialise exactly as on a cluster. The translator builds these fresh (it never mutates its
 * input) and leaves every condition's {@code lastTransitionTime} null: only a status writer, which
 * knows the previous value, may stamp it.
 *
 * @param listenerSets the status of every ListenerSet whose parent Gateway is ours
 * @param routes the {@code status.parents} of every route of every kind with a parent of ours,
 *     keyed by the route (whose key names its kind); every route kind's status is just its parents
 * @param policies the status of every BackendTLSPolicy with an ancestor (a Gateway) of ours
 */
public record StatusReport(Map<ResourceKey, GatewayClassStatus> gatewayClasses,
                           Map<ResourceKey, GatewayStatus> gateways,
                           Map<ResourceKey, ListenerSetStatus> listenerSets,
                           Map<ResourceKey, List<RouteParentStatus>> routes,
                           Map<ResourceKey, PolicyStatus> policies) {
    public StatusReport {
        policies = Map.copyOf(Objects.requireNonNull(policies, "policies"));
        gatewayClasses = Map.copyOf(Objects.requireNonNull(gatewayClasses, "gatewayClasses"));
        gateways = Map.copyOf(Objects.requireNonNull(gateways, "gateways"));
        listenerSets = Map.copyOf(Objects.requireNonNull(listenerSets, "listenerSets"));
        // The translator's own map of every route's status is taken as is (IndexedOnRead: built
        // for this report alone, indexed by its first reader); any other map is copied.
        routes = Objects.requireNonNull(routes, "routes") instanceof IndexedOnRead ? routes : Map.copyOf(routes);
    }

    /** The HTTPRoutes' status. */
    public Map<ResourceKey, HTTPRouteStatus> httpRoutes() {
        final Map<ResourceKey, HTTPRouteStatus> out = new TreeMap<>();
        routes.forEach((key, parents) -> {
            if (key.kind().equals(ResourceKind.HTTP_ROUTE.kind())) {
                out.put(key, new HTTPRouteStatusBuilder().withParents(parents).build());
            }
        });
        return out;
    }
}
