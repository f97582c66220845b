package io.archway.translate.compile;

import io.archway.translate.bind.RouteContext;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Instant;
import java.util.List;

/**
 * An HTTPRoute's rules compiled once, before attachment: its entries in rule and match order,
 * whether it uses anything unsupported, and its ResolvedRefs condition.
 *
 * @param created {@code metadata.creationTimestamp}, or null when unknown
 * @param notAccepted the Accepted=False condition when the route uses something unsupported
 *     (UnsupportedValue, IncompatibleFilters), or null
 */
public record CompiledRoute(ResourceKey key, HTTPRoute route, Instant created, List<HttpRouteEntry> entries,
                            ConditionSpec notAccepted, ConditionSpec resolvedRefs) {
    public CompiledRoute {
        entries = List.copyOf(entries);
    }

    /** The route as attachment sees it. */
    public RouteContext context() {
        return RouteContext.of(route, notAccepted, resolvedRefs);
    }
}
