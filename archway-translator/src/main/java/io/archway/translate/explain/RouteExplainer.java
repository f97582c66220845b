package io.archway.translate.explain;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.HostnameIntersection;
import io.archway.translate.bind.Kinds;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Explains an HTTPRoute's attachment, parentRef by parentRef and listener by listener, with the
 * translator's own binding classes ({@link BoundListener#allowsKind}, {@code AllowedNamespaces},
 * {@link HostnameIntersection}, {@link BackendResolver}); the parent's Accepted/ResolvedRefs
 * conditions are the ones the translator reports.
 */
public final class RouteExplainer {
    private final TranslatorOptions options;

    public RouteExplainer(TranslatorOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Empty when the view has no such HTTPRoute. */
    public Optional<RouteExplanation> explain(ResourceView view, String namespace, String name) {
        final HTTPRoute route = view.httpRoutes().stream().filter(r -> name.equals(r.getMetadata().getName())
                && namespace.equals(r.getMetadata().getNamespace())).findFirst().orElse(null);
        if (route == null) {
            return Optional.empty();
        }
        final BoundModel model = new BoundModel(view, options);
        final HTTPRouteStatus status = model.translation.status().httpRoutes()
                .get(new ResourceKey(ResourceKind.HTTP_ROUTE.kind(), namespace, name));
        final List<String> routeHostnames = route.getSpec() == null || route.getSpec().getHostnames() == null
                ? List.of() : route.getSpec().getHostnames();
        final List<ParentReference> refs = route.getSpec() == null || route.getSpec().getParentRefs() == null
                ? List.of() : route.getSpec().getParentRefs();
        final List<RouteExplanation.Parent> parents = new ArrayList<>();
        for (int p = 0; p < refs.size(); p++) {
            parents.add(parent(model, namespace, routeHostnames, refs.get(p), p, status));
        }
        final List<String> problems = model.translation.diagnostics().stream()
                .filter(d -> d.resource() != null && d.resource().kind().equals(ResourceKind.HTTP_ROUTE.kind())
                        && d.resource().namespace().equals(namespace) && d.resource().name().equals(name))
                .map(d -> d.severity() + " " + (d.field() != null ? d.field() + ": " : "") + d.message()).toList();
        return Optional.of(new RouteExplanation(namespace, name, routeHostnames, parents,
                backends(model.backends, namespace, route), problems));
    }

    private RouteExplanation.Parent parent(BoundModel model, String routeNamespace, List<String> routeHostnames,
                                           ParentReference ref, int index, HTTPRouteStatus status) {
        final String group = Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP);
        final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind());
        final String gwNamespace = Kinds.orDefault(ref.getNamespace(), routeNamespace);
        final String described = kind + " " + gwNamespace + "/" + ref.getName()
                + (ref.getSectionName() != null ? " sectionName " + ref.getSectionName() : "")
                + (ref.getPort() != null ? " port " + ref.getPort() : "");
        if (!group.equals(ResourceKind.GATEWAY_GROUP) || !kind.equals(ResourceKind.GATEWAY.kind()) || ref.getName() == null) {
            return new RouteExplanation.Parent(index, described, null, false, null, null,
                    "not a Gateway parent: ignored", null, null, List.of());
        }
        final ResourceKey gatewayKey = new ResourceKey(ResourceKind.GATEWAY.kind(), gwNamespace, ref.getName());
        final BoundGateway gateway = model.gateways.get(gatewayKey);
        final String gatewayName = gwNamespace + "/" + ref.getName();
        if (gateway == null) {
            final boolean exists = model.view.gateways().stream().anyMatch(g -> Kinds.keyOf(ResourceKind.GATEWAY, g)
                    .equals(gatewayKey));
            return new RouteExplanation.Parent(index, described, gatewayName, false, null, null,
                    exists ? "Gateway " + gatewayName + " is not served by us (its GatewayClass belongs to another"
                            + " controller): we write no status for this parent"
                            : "Gateway " + gatewayName + " does not exist", null, null, List.of());
        }
        final RouteParentStatus ps = status == null || status.getParents() == null ? null : status.getParents()
                .stream().filter(s -> sameRef(s.getParentRef(), ref, gwNamespace)).findFirst().orElse(null);
        final Condition accepted = condition(ps, Reasons.ACCEPTED);
        final Condition resolved = condition(ps, Reasons.RESOLVED_REFS);
        final List<RouteExplanation.ListenerCheck> checks = new ArrayList<>();
        for (BoundListener l : gateway.listeners()) {
            checks.add(listener(model, gateway, l, ref, routeNamespace, routeHostnames));
        }
        return new RouteExplanation.Parent(index, described, gatewayName, true,
                accepted == null ? null : accepted.getStatus(), accepted == null ? null : accepted.getReason(),
                accepted == null ? (gateway.accepted() ? null : "Gateway " + gatewayName + " is not accepted")
                        : accepted.getMessage(),
                resolved == null ? null : resolved.getReason(), resolved == null ? null : resolved.getMessage(),
                checks);
    }

    private static RouteExplanation.ListenerCheck listener(BoundModel model, BoundGateway gateway, BoundListener l,
                                                           ParentReference ref, String routeNamespace,
                                                           List<String> routeHostnames) {
        final List<String> why = new ArrayList<>();
        final String protocol = l.protocol() == null ? "unsupported" : l.protocol().name();
        String reason = null;
        if (ref.getSectionName() != null && !ref.getSectionName().equals(l.name())) {
            why.add("sectionName " + ref.getSectionName() + " does not name this listener");
            reason = Reasons.NO_MATCHING_PARENT;
        }
        if (ref.getPort() != null && ref.getPort() != l.port()) {
            why.add("parentRef port " + ref.getPort() + " is not the listener port " + l.port());
            reason = reason == null ? Reasons.NO_MATCHING_PARENT : reason;
        }
        if (reason == null && !gateway.accepted()) {
            why.add("the Gateway is not accepted");
            reason = Reasons.PENDING;
        }
        if (reason == null && !l.accepted()) {
            final ConditionSpec c = l.conditions().isEmpty() ? null : l.conditions().get(0);
            why.add("the listener is not accepted" + (c != null ? " (" + c.reason() + ": " + c.message() + ")" : ""));
            reason = Reasons.NO_MATCHING_PARENT;
        }
        if (reason == null && !l.allowsKind(ResourceKind.GATEWAY_GROUP, ResourceKind.HTTP_ROUTE.kind())) {
            why.add("allowedRoutes.kinds " + l.supportedKinds().stream().map(k -> k.getKind())
                    .collect(Collectors.toList()) + " does not include HTTPRoute");
            reason = Reasons.NOT_ALLOWED_BY_LISTENERS;
        }
        if (reason == null) {
            final boolean allowed = l.allowedNamespaces().allows(routeNamespace);
            why.add(namespacePolicy(model, gateway, l, routeNamespace) + (allowed ? ": allowed" : ": not allowed"));
            if (!allowed) {
                reason = Reasons.NOT_ALLOWED_BY_LISTENERS;
            }
        }
        List<String> effective = List.of();
        if (reason == null) {
            effective = HostnameIntersection.intersect(l.hostname(), routeHostnames);
            final String listenerHost = l.hostname() == null ? "(any)" : l.hostname();
            final String routeHosts = routeHostnames.isEmpty() ? "(any)" : String.join(", ", routeHostnames);
            if (effective.isEmpty()) {
                why.add("listener hostname " + listenerHost + " does not intersect route hostnames " + routeHosts);
                reason = Reasons.NO_MATCHING_LISTENER_HOSTNAME;
            } else {
                why.add("listener hostname " + listenerHost + " x route hostnames " + routeHosts + " = "
                        + String.join(", ", effective));
            }
        }
        return new RouteExplanation.ListenerCheck(l.name(), l.port(), protocol, l.hostname(), reason == null,
                reason == null ? Reasons.ACCEPTED : reason, why, effective);
    }

    /** The listener's allowedRoutes.namespaces in words, with the labels compared for a Selector. */
    private static String namespacePolicy(BoundModel model, BoundGateway gateway, BoundListener l, String routeNs) {
        final Listener spec = gateway.gateway().getSpec().getListeners().stream()
                .filter(x -> l.name().equals(x.getName())).findFirst().orElse(null);
        final var ns = spec == null || spec.getAllowedRoutes() == null ? null : spec.getAllowedRoutes().getNamespaces();
        final String from = ns == null || ns.getFrom() == null ? "Same" : ns.getFrom();
        switch (from) {
            case "All":
                return "allowedRoutes.namespaces.from All";
            case "None":
                return "allowedRoutes.namespaces.from None";
            case "Selector": {
                final LabelSelector sel = ns.getSelector();
                return "allowedRoutes.namespaces.from Selector " + describe(sel) + " vs labels of namespace "
                        + routeNs + " " + labels(model, routeNs);
            }
            default:
                return "allowedRoutes.namespaces.from Same: Gateway namespace " + gateway.key().namespace()
                        + ", route namespace " + routeNs;
        }
    }

    private static String describe(LabelSelector sel) {
        if (sel == null) {
            return "(no selector)";
        }
        final List<String> parts = new ArrayList<>();
        if (sel.getMatchLabels() != null) {
            new TreeMap<>(sel.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (sel.getMatchExpressions() != null) {
            sel.getMatchExpressions().forEach(e -> parts.add(e.getKey() + " " + e.getOperator()
                    + (e.getValues() == null ? "" : " " + e.getValues())));
        }
        return "{" + String.join(", ", parts) + "}";
    }

    private static String labels(BoundModel model, String namespace) {
        final Map<String, String> labels = new TreeMap<>();
        for (Namespace n : model.view.namespaces()) {
            if (namespace.equals(n.getMetadata().getName())) {
                if (n.getMetadata().getLabels() != null) {
                    labels.putAll(n.getMetadata().getLabels());
                }
                labels.putIfAbsent("kubernetes.io/metadata.name", namespace);
                return labels.toString();
            }
        }
        return "(no Namespace object: no labels)";
    }

    private static List<RouteExplanation.Backend> backends(BackendResolver resolver, String namespace, HTTPRoute route) {
        final List<RouteExplanation.Backend> out = new ArrayList<>();
        final List<HTTPRouteRule> rules = route.getSpec() == null || route.getSpec().getRules() == null ? List.of()
                : route.getSpec().getRules();
        for (int r = 0; r < rules.size(); r++) {
            final List<HTTPBackendRef> refs = rules.get(r).getBackendRefs() == null ? List.of()
                    : rules.get(r).getBackendRefs();
            for (int b = 0; b < refs.size(); b++) {
                final BackendResolver.Resolved res = resolver.resolve(namespace, refs.get(b), List.of());
                final WeightedBackend wb = res.backend();
                out.add(new RouteExplanation.Backend(r, b, wb.origin().toString(), wb.weight(), wb.valid(),
                        wb.valid() ? Reasons.RESOLVED_REFS : wb.invalidReason(), res.message(), wb.endpoints().size()));
            }
        }
        return out;
    }

    private static boolean sameRef(ParentReference echoed, ParentReference ref, String gwNamespace) {
        return echoed != null && Objects.equals(echoed.getName(), ref.getName())
                && Objects.equals(Kinds.orDefault(echoed.getNamespace(), gwNamespace), gwNamespace)
                && Objects.equals(echoed.getSectionName(), ref.getSectionName())
                && Objects.equals(echoed.getPort(), ref.getPort());
    }

    private static Condition condition(RouteParentStatus ps, String type) {
        if (ps == null || ps.getConditions() == null) {
            return null;
        }
        return ps.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
