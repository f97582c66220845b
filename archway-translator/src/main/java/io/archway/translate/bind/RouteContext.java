package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One route as attachment sees it, whatever its kind (Envoy Gateway's RouteContext, Contour's
 * processRoute): what it is, where it asks to attach, and the hostnames it serves.
 *
 * @param key the route's kind, namespace and name
 * @param generation metadata.generation (null when unset), the observedGeneration of its conditions
 * @param parentRefs spec.parentRefs as written
 * @param hostnames spec.hostnames (empty: any); null for a kind without hostnames (TCPRoute,
 *     UDPRoute), which then attaches whatever the listener's hostname
 * @param notAccepted why the route itself cannot be accepted whatever its parent (found while
 *     compiling it), or null
 * @param resolvedRefs its ResolvedRefs condition; null when only attachment is asked (explain)
 * @param created metadata.creationTimestamp, or null when unknown: the first tie-breaker when an
 *     HTTPRoute and a GRPCRoute claim one hostname on a listener (GRPCRouteSpec.hostnames)
 */
public record RouteContext(ResourceKey key, Long generation, List<ParentReference> parentRefs, List<String> hostnames,
                           ConditionSpec notAccepted, ConditionSpec resolvedRefs, Instant created) {
    public RouteContext {
        Objects.requireNonNull(key, "key");
        parentRefs = parentRefs == null ? List.of() : List.copyOf(parentRefs);
        hostnames = hostnames == null ? null : List.copyOf(hostnames);
    }

    /** A context whose creation time does not matter (kinds that never compete for a hostname). */
    public RouteContext(ResourceKey key, Long generation, List<ParentReference> parentRefs, List<String> hostnames,
                        ConditionSpec notAccepted, ConditionSpec resolvedRefs) {
        this(key, generation, parentRefs, hostnames, notAccepted, resolvedRefs, null);
    }

    /** An HTTPRoute's context: its parentRefs and hostnames (none written: any). */
    public static RouteContext of(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute route,
                                  ConditionSpec notAccepted, ConditionSpec resolvedRefs) {
        final var spec = route.getSpec();
        return new RouteContext(Kinds.keyOf(ResourceKind.HTTP_ROUTE, route), route.getMetadata().getGeneration(),
                spec == null ? null : spec.getParentRefs(),
                spec == null || spec.getHostnames() == null ? List.of() : spec.getHostnames(), notAccepted, resolvedRefs,
                CreationTimestamps.of(route));
    }

    /** A GRPCRoute's context: its parentRefs and hostnames (none written: any). */
    public static RouteContext of(io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute route,
                                  ConditionSpec notAccepted, ConditionSpec resolvedRefs) {
        final var spec = route.getSpec();
        return new RouteContext(Kinds.keyOf(ResourceKind.GRPC_ROUTE, route), route.getMetadata().getGeneration(),
                spec == null ? null : spec.getParentRefs(),
                spec == null || spec.getHostnames() == null ? List.of() : spec.getHostnames(), notAccepted, resolvedRefs,
                CreationTimestamps.of(route));
    }

    public String kind() {
        return key.kind();
    }

    /** Whether this kind of route carries hostnames to intersect with a listener's. */
    public boolean hasHostnames() {
        return hostnames != null;
    }
}
