package io.archway.translate.explain;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.BoundListenerSet;
import io.archway.translate.bind.Kinds;
import io.archway.translate.bind.ListenerCheck;
import io.archway.translate.bind.ListenerParent;
import io.archway.translate.bind.RouteAttacher;
import io.archway.translate.bind.RouteContext;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains an HTTPRoute's attachment, parentRef by parentRef (a Gateway or a ListenerSet) and
 * listener by listener, by
 * rendering the translator's own per-listener check ({@link ListenerCheck}) and backend resolution
 * ({@link BackendResolver}); the parent's Accepted/ResolvedRefs conditions are the ones the
 * translator reports.
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
            parents.add(parent(model, RouteContext.of(route, null, null), refs.get(p), p, status));
        }
        final List<String> problems = model.translation.diagnostics().stream()
                .filter(d -> d.resource() != null && d.resource().kind().equals(ResourceKind.HTTP_ROUTE.kind())
                        && d.resource().namespace().equals(namespace) && d.resource().name().equals(name))
                .map(d -> d.severity() + " " + (d.field() != null ? d.field() + ": " : "") + d.message()).toList();
        return Optional.of(new RouteExplanation(namespace, name, routeHostnames, parents,
                backends(model.backends, namespace, route), problems));
    }

    private RouteExplanation.Parent parent(BoundModel model, RouteContext context,
                                           ParentReference ref, int index, HTTPRouteStatus status) {
        final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind());
        final String parentNamespace = Kinds.orDefault(ref.getNamespace(), context.key().namespace());
        final String described = kind + " " + parentNamespace + "/" + ref.getName()
                + (ref.getSectionName() != null ? " sectionName " + ref.getSectionName() : "")
                + (ref.getPort() != null ? " port " + ref.getPort() : "");
        final ResourceKey parentKey = RouteAttacher.parentKey(ref, context.key().namespace());
        if (parentKey == null) {
            return new RouteExplanation.Parent(index, described, null, false, null, null,
                    "not a Gateway or ListenerSet parent: ignored", null, null, List.of());
        }
        final ListenerParent parent = model.parents.get(parentKey);
        final String parentName = parentNamespace + "/" + ref.getName();
        final boolean isSet = parentKey.kind().equals(ResourceKind.LISTENER_SET.kind());
        if (parent == null) {
            final boolean exists = (isSet ? model.view.listenerSets().stream().map(s -> Kinds.keyOf(ResourceKind.LISTENER_SET, s))
                    : model.view.gateways().stream().map(g -> Kinds.keyOf(ResourceKind.GATEWAY, g))).anyMatch(parentKey::equals);
            return new RouteExplanation.Parent(index, described, isSet ? null : parentName, false, null, null,
                    !exists ? kind + " " + parentName + " does not exist"
                            : isSet ? "ListenerSet " + parentName + " is not attached to a Gateway of ours: we write no"
                                    + " status for this parent"
                            : "Gateway " + parentName + " is not served by us (its GatewayClass belongs to another"
                                    + " controller): we write no status for this parent", null, null, List.of());
        }
        final ResourceKey gatewayKey = parent instanceof BoundListenerSet set ? set.gateway() : parent.key();
        final RouteParentStatus ps = status == null || status.getParents() == null ? null : status.getParents()
                .stream().filter(s -> sameRef(s.getParentRef(), ref, kind, parentNamespace)).findFirst().orElse(null);
        final Condition accepted = condition(ps, Reasons.ACCEPTED);
        final Condition resolved = condition(ps, Reasons.RESOLVED_REFS);
        final List<RouteExplanation.ListenerCheck> checks = new ArrayList<>();
        for (BoundListener l : parent.listeners()) {
            checks.add(listener(parent, l, ref, context));
        }
        return new RouteExplanation.Parent(index, described, gatewayKey.namespace() + "/" + gatewayKey.name(), true,
                accepted == null ? null : accepted.getStatus(), accepted == null ? null : accepted.getReason(),
                accepted == null ? (parent.accepted() ? null : kind + " " + parentName + " is not accepted")
                        : accepted.getMessage(),
                resolved == null ? null : resolved.getReason(), resolved == null ? null : resolved.getMessage(),
                checks);
    }

    /**
     * One listener as the translator checks it ({@link ListenerCheck}); a listener of a parent that
     * is not accepted, once named, gets the route's reason for such a parent.
     */
    private static RouteExplanation.ListenerCheck listener(ListenerParent parent, BoundListener l, ParentReference ref,
                                                           RouteContext route) {
        final String protocol = l.protocol() == null ? "unsupported" : l.protocol().name();
        final ListenerCheck check = ListenerCheck.of(l, ref, route);
        if (!parent.accepted() && check.failedAt() != ListenerCheck.Step.NAMED) {
            return new RouteExplanation.ListenerCheck(l.name(), l.port(), protocol, l.hostname(), false,
                    RouteAttacher.notAcceptedReason(parent), List.of("the " + parent.key().kind() + " is not accepted"),
                    List.of());
        }
        return new RouteExplanation.ListenerCheck(l.name(), l.port(), protocol, l.hostname(), check.attached(),
                check.reason(), check.why(), check.effectiveHostnames());
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

    private static boolean sameRef(ParentReference echoed, ParentReference ref, String kind, String gwNamespace) {
        return echoed != null && Objects.equals(echoed.getName(), ref.getName())
                && kind.equals(Kinds.orDefault(echoed.getKind(), ResourceKind.GATEWAY.kind()))
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
