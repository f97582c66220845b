package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a route attaches to one listener of the Gateway a parentRef names: the one per-listener
 * check of the spec's attachment rules, for every route kind, which the translator applies and
 * {@code archway explain route} renders.
 *
 * <p>The steps, in order (ParentReference, Listener.allowedRoutes, Listener.hostname): the
 * parentRef names the listener (sectionName, port); the listener is accepted; it allows the
 * route's kind; it allows the route's namespace; the listener's hostname intersects the route's
 * (only for kinds with hostnames).
 *
 * @param listener the listener checked
 * @param failedAt the first step that did not hold; null when the route attaches
 * @param why one line per step taken, for operators
 * @param effectiveHostnames the hostnames the route serves on this listener (the intersection;
 *     {@code *} for any), empty unless it attaches
 */
public record ListenerCheck(BoundListener listener, Step failedAt, List<String> why, List<String> effectiveHostnames) {
    public ListenerCheck {
        why = List.copyOf(why);
        effectiveHostnames = List.copyOf(effectiveHostnames);
    }

    /** A step of the check, with the Accepted reason a route gets when it fails there on every listener. */
    public enum Step {
        NAMED(Reasons.NO_MATCHING_PARENT),
        LISTENER_ACCEPTED(Reasons.NO_MATCHING_PARENT),
        KIND_ALLOWED(Reasons.NOT_ALLOWED_BY_LISTENERS),
        NAMESPACE_ALLOWED(Reasons.NOT_ALLOWED_BY_LISTENERS),
        HOSTNAME_INTERSECTS(Reasons.NO_MATCHING_LISTENER_HOSTNAME),
        /**
         * An HTTPRoute and a GRPCRoute share a hostname on the listener and the other one wins
         * (GRPCRouteSpec.hostnames: the oldest, then the first by "{namespace}/{name}"). The spec
         * names no reason; NotAllowedByListeners says the listener would not take it.
         */
        HOSTNAME_FREE_OF_OTHER_KIND(Reasons.NOT_ALLOWED_BY_LISTENERS);

        private final String reason;

        Step(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public boolean attached() {
        return failedAt == null;
    }

    /** The Accepted reason for this listener alone: Accepted, or the failed step's. */
    public String reason() {
        return failedAt == null ? Reasons.ACCEPTED : failedAt.reason();
    }

    /** This check, failed because {@code winner} (a route of the other kind) keeps a shared hostname. */
    ListenerCheck lostTo(ResourceKey winner, List<String> shared) {
        final List<String> reasons = new ArrayList<>(why);
        reasons.add("hostname " + String.join(", ", shared) + " is served by " + winner.kind() + " "
                + winner.namespace() + "/" + winner.name() + " on this listener (HTTPRoute and GRPCRoute may not share"
                + " a hostname on a listener; the older route keeps it)");
        return new ListenerCheck(listener, Step.HOSTNAME_FREE_OF_OTHER_KIND, reasons, List.of());
    }

    /** Checks {@code route} against {@code listener} for the parentRef {@code ref}. */
    public static ListenerCheck of(BoundListener listener, ParentReference ref, RouteContext route) {
        final List<String> why = new ArrayList<>();
        final boolean sectionMatches = ref.getSectionName() == null || ref.getSectionName().equals(listener.name());
        final boolean portMatches = ref.getPort() == null || ref.getPort() == listener.port();
        if (!sectionMatches) {
            why.add("sectionName " + ref.getSectionName() + " does not name this listener");
        }
        if (!portMatches) {
            why.add("parentRef port " + ref.getPort() + " is not the listener port " + listener.port());
        }
        if (!sectionMatches || !portMatches) {
            return new ListenerCheck(listener, Step.NAMED, why, List.of());
        }
        if (!listener.accepted()) {
            final var c = listener.conditions().isEmpty() ? null : listener.conditions().get(0);
            why.add("the listener is not accepted" + (c != null ? " (" + c.reason() + ": " + c.message() + ")" : ""));
            return new ListenerCheck(listener, Step.LISTENER_ACCEPTED, why, List.of());
        }
        if (!listener.allowsKind(ResourceKind.GATEWAY_GROUP, route.kind())) {
            why.add("allowedRoutes.kinds " + listener.supportedKinds().stream().map(k -> k.getKind())
                    .collect(Collectors.toList()) + " does not include " + route.kind());
            return new ListenerCheck(listener, Step.KIND_ALLOWED, why, List.of());
        }
        final String namespace = route.key().namespace();
        final boolean allowed = listener.allowedNamespaces().allows(namespace);
        why.add(listener.allowedNamespaces().describe(namespace) + (allowed ? ": allowed" : ": not allowed"));
        if (!allowed) {
            return new ListenerCheck(listener, Step.NAMESPACE_ALLOWED, why, List.of());
        }
        if (!route.hasHostnames()) {
            return new ListenerCheck(listener, null, why, List.of("*"));
        }
        final List<String> effective = HostnameIntersection.intersect(listener.hostname(), route.hostnames());
        final String listenerHost = listener.hostname() == null ? "(any)" : listener.hostname();
        final String routeHosts = route.hostnames().isEmpty() ? "(any)" : String.join(", ", route.hostnames());
        if (effective.isEmpty()) {
            why.add("listener hostname " + listenerHost + " does not intersect route hostnames " + routeHosts);
            return new ListenerCheck(listener, Step.HOSTNAME_INTERSECTS, why, List.of());
        }
        why.add("listener hostname " + listenerHost + " x route hostnames " + routeHosts + " = "
                + String.join(", ", effective));
        return new ListenerCheck(listener, null, why, effective);
    }
}
