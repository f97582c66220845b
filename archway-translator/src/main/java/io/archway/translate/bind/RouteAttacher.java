package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Phase 4: attaches HTTPRoutes to the listeners of our Gateways (HTTPRoute parentRefs). For each
 * parentRef that names a Gateway of ours: the listeners named by sectionName and port
 * (NoMatchingParent when none), which accept the route's kind and namespace
 * (NotAllowedByListeners), and whose hostname intersects the route's (NoMatchingListenerHostname).
 * parentRefs to Gateways of other controllers get no status entry from us.
 */
public final class RouteAttacher {
    /** What the attacher needs to know about one route. */
    public record RouteInput(ResourceKey key, HTTPRoute route, ConditionSpec notAccepted, ConditionSpec resolvedRefs) {
    }

    private final String controllerName;
    private final Map<ResourceKey, BoundGateway> gateways;
    private final Set<ResourceKey> allGateways;
    private final Diagnostics diagnostics;
    private final List<Attachment> attachments = new ArrayList<>();
    private final Map<ResourceKey, HTTPRouteStatus> statuses = new TreeMap<>();
    private final Map<String, Integer> attachedRoutes = new HashMap<>();
    private final Set<String> attached = new java.util.HashSet<>();

    public RouteAttacher(String controllerName, Map<ResourceKey, BoundGateway> gateways, Set<ResourceKey> allGateways,
                         Diagnostics diagnostics) {
        this.controllerName = controllerName;
        this.gateways = gateways;
        this.allGateways = allGateways;
        this.diagnostics = diagnostics;
    }

    public void attach(List<RouteInput> routes) {
        for (int i = 0; i < routes.size(); i++) {
            attach(i, routes.get(i));
        }
    }

    private void attach(int routeIndex, RouteInput input) {
        final HTTPRoute route = input.route();
        final String namespace = input.key().namespace();
        final List<ParentReference> parentRefs = route.getSpec() == null || route.getSpec().getParentRefs() == null
                ? List.of() : route.getSpec().getParentRefs();
        final List<RouteParentStatus> parents = new ArrayList<>();
        for (int p = 0; p < parentRefs.size(); p++) {
            final ParentReference ref = parentRefs.get(p);
            final String group = Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP);
            final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind());
            if (!group.equals(ResourceKind.GATEWAY_GROUP) || !kind.equals(ResourceKind.GATEWAY.kind())) {
                continue;
            }
            if (ref.getName() == null) {
                diagnostics.error(input.key(), "spec.parentRefs[" + p + "].name", "parentRef without name");
                continue;
            }
            final ResourceKey gatewayKey = new ResourceKey(ResourceKind.GATEWAY.kind(),
                    Kinds.orDefault(ref.getNamespace(), namespace), ref.getName());
            final BoundGateway gateway = gateways.get(gatewayKey);
            if (gateway == null) {
                if (!allGateways.contains(gatewayKey)) {
                    diagnostics.warning(input.key(), "spec.parentRefs[" + p + "]", gatewayKey + " does not exist");
                }
                continue;
            }
            final ConditionSpec accepted = attachToGateway(routeIndex, input, ref, gateway, p);
            parents.add(new RouteParentStatusBuilder()
                    .withParentRef(echo(ref, group, kind))
                    .withControllerName(controllerName)
                    .withConditions(accepted.toCondition(route.getMetadata().getGeneration()),
                            input.resolvedRefs().toCondition(route.getMetadata().getGeneration()))
                    .build());
        }
        if (!parents.isEmpty()) {
            statuses.put(input.key(), new HTTPRouteStatusBuilder().withParents(parents).build());
        }
    }

    private ConditionSpec attachToGateway(int routeIndex, RouteInput input, ParentReference ref,
                                          BoundGateway gateway, int p) {
        final String field = "spec.parentRefs[" + p + "]";
        final ConditionSpec refused = refusal(input, ref, gateway);
        if (refused != null) {
            if (refused != input.notAccepted()) { // the compile phase reported that one
                diagnostics.error(input.key(), field, refused.message());
            }
            return refused;
        }
        for (BoundListener listener : candidates(ref, gateway)) {
            if (listener.accepted() && listener.allowsKind(ResourceKind.GATEWAY_GROUP, ResourceKind.HTTP_ROUTE.kind())
                    && listener.allowedNamespaces().allows(input.key().namespace())) {
                final List<String> hostnames = HostnameIntersection.intersect(listener.hostname(),
                        input.route().getSpec().getHostnames());
                if (!hostnames.isEmpty() && attached.add(routeIndex + "@" + listenerId(gateway.key(), listener.name()))) {
                    attachments.add(new Attachment(gateway, listener, routeIndex, hostnames));
                    attachedRoutes.merge(listenerId(gateway.key(), listener.name()), 1, Integer::sum);
                }
            }
        }
        return ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED, "route is accepted");
    }

    /** Why the route cannot attach to this parent at all, or null when it attaches to at least one listener. */
    private ConditionSpec refusal(RouteInput input, ParentReference ref, BoundGateway gateway) {
        if (!gateway.accepted()) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.PENDING, gateway.key() + " is not accepted");
        }
        final List<BoundListener> named = candidates(ref, gateway);
        final List<BoundListener> accepted = named.stream().filter(BoundListener::accepted).toList();
        if (accepted.isEmpty()) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.NO_MATCHING_PARENT, "no accepted listener of "
                    + gateway.key() + (describe(ref).isEmpty() ? "" : " matches" + describe(ref)));
        }
        final List<BoundListener> kindAllowed = accepted.stream()
                .filter(l -> l.allowsKind(ResourceKind.GATEWAY_GROUP, ResourceKind.HTTP_ROUTE.kind())).toList();
        if (kindAllowed.isEmpty()) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.NOT_ALLOWED_BY_LISTENERS, "no listener of "
                    + gateway.key() + describe(ref) + " allows the kind HTTPRoute");
        }
        final List<BoundListener> allowed = kindAllowed.stream()
                .filter(l -> l.allowedNamespaces().allows(input.key().namespace())).toList();
        if (allowed.isEmpty()) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.NOT_ALLOWED_BY_LISTENERS, "no listener of "
                    + gateway.key() + describe(ref) + " allows routes from namespace " + input.key().namespace());
        }
        final List<String> routeHostnames = input.route().getSpec().getHostnames();
        if (allowed.stream().allMatch(l -> HostnameIntersection.intersect(l.hostname(), routeHostnames).isEmpty())) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.NO_MATCHING_LISTENER_HOSTNAME,
                    "no listener hostname of " + gateway.key() + describe(ref) + " intersects the route's hostnames "
                            + routeHostnames);
        }
        if (input.notAccepted() != null) {
            return input.notAccepted();
        }
        return null;
    }

    /** The listeners a parentRef names: all, or those with its sectionName and/or port. */
    private static List<BoundListener> candidates(ParentReference ref, BoundGateway gateway) {
        return gateway.listeners().stream()
                .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.name()))
                .filter(l -> ref.getPort() == null || ref.getPort() == l.port())
                .toList();
    }

    private static String describe(ParentReference ref) {
        return (ref.getSectionName() != null ? " sectionName " + ref.getSectionName() : "")
                + (ref.getPort() != null ? " port " + ref.getPort() : "");
    }

    /** The parentRef as written, with the group and kind defaults the API server would apply. */
    private static ParentReference echo(ParentReference ref, String group, String kind) {
        return new ParentReferenceBuilder().withGroup(group).withKind(kind).withNamespace(ref.getNamespace())
                .withName(ref.getName()).withSectionName(ref.getSectionName()).withPort(ref.getPort()).build();
    }

    static String listenerId(ResourceKey gateway, String listener) {
        return gateway.namespace() + "/" + gateway.name() + "/" + listener;
    }

    public List<Attachment> attachments() {
        return attachments;
    }

    public Map<ResourceKey, HTTPRouteStatus> statuses() {
        return statuses;
    }

    public int attachedRoutes(ResourceKey gateway, String listener) {
        return Objects.requireNonNullElse(attachedRoutes.get(listenerId(gateway, listener)), 0);
    }
}
