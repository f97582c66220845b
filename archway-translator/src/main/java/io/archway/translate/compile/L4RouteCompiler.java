package io.archway.translate.compile;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.ResourceKey;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.CreationTimestamps;
import io.archway.translate.bind.Kinds;
import io.archway.translate.bind.RouteContext;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 3 for TLSRoute, TCPRoute and UDPRoute: the rule's backendRefs resolved to weighted
 * backends. At v1 such a route has exactly one rule; a v1alpha2 document may carry up to 16, and
 * only the first is served (with a warning). A backendRef that does not resolve sets
 * ResolvedRefs=False with its reason, and its share of the connections is refused. A TLSRoute
 * also carries its hostnames (required at v1, optional at v1alpha2: none means any), which
 * attachment intersects with the listener's.
 */
public final class L4RouteCompiler {
    private final BackendResolver backends;
    private final Diagnostics diagnostics;

    public L4RouteCompiler(BackendResolver backends, Diagnostics diagnostics) {
        this.backends = backends;
        this.diagnostics = diagnostics;
    }

    public CompiledL4Route compile(TLSRoute route) {
        final var spec = route.getSpec();
        final List<String> hostnames = spec == null || spec.getHostnames() == null ? List.of() : spec.getHostnames();
        return compile(ResourceKind.TLS_ROUTE, route, spec == null ? null : spec.getParentRefs(), hostnames,
                spec == null ? null : spec.getRules(), TLSRouteRule::getBackendRefs, TLSRouteRule::getName);
    }

    public CompiledL4Route compile(TCPRoute route) {
        final var spec = route.getSpec();
        return compile(ResourceKind.TCP_ROUTE, route, spec == null ? null : spec.getParentRefs(), null,
                spec == null ? null : spec.getRules(), TCPRouteRule::getBackendRefs, TCPRouteRule::getName);
    }

    public CompiledL4Route compile(UDPRoute route) {
        final var spec = route.getSpec();
        return compile(ResourceKind.UDP_ROUTE, route, spec == null ? null : spec.getParentRefs(), null,
                spec == null ? null : spec.getRules(), UDPRouteRule::getBackendRefs, UDPRouteRule::getName);
    }

    /** The backendRefs and name of each rule of a TLSRoute, TCPRoute or UDPRoute (one model class each). */
    private <R> CompiledL4Route compile(ResourceKind kind, HasMetadata route, List<ParentReference> parentRefs,
                                        List<String> hostnames, List<R> specRules,
                                        java.util.function.Function<R, List<BackendRef>> backendRefs,
                                        java.util.function.Function<R, String> name) {
        final List<List<BackendRef>> rules = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        if (specRules != null) {
            for (R rule : specRules) {
                rules.add(backendRefs.apply(rule));
                names.add(name.apply(rule));
            }
        }
        return compile(kind, route, parentRefs, hostnames, rules, names);
    }

    /** @param hostnames the route's hostnames (empty: any); null for a kind without hostnames */
    private CompiledL4Route compile(ResourceKind kind, HasMetadata route, List<ParentReference> parentRefs,
                                    List<String> hostnames, List<List<BackendRef>> rules, List<String> ruleNames) {
        final ResourceKey key = Kinds.keyOf(kind, route);
        if (rules.size() > 1) {
            diagnostics.warning(key, "spec.rules", kind.kind() + " has " + rules.size()
                    + " rules; only the first is served (a " + kind.kind() + " has one rule at v1)");
        }
        final List<BackendRef> refs = rules.isEmpty() || rules.get(0) == null ? List.of() : rules.get(0);
        final List<WeightedBackend> weighted = new ArrayList<>();
        ConditionSpec resolvedRefs = null;
        for (int b = 0; b < refs.size(); b++) {
            final BackendResolver.Resolved resolved = backends.resolve(kind, key.namespace(), refs.get(b));
            weighted.add(resolved.backend());
            if (!resolved.backend().valid()) {
                diagnostics.error(key, "spec.rules[0].backendRefs[" + b + "]", resolved.message());
                if (resolvedRefs == null) {
                    resolvedRefs = ConditionSpec.isFalse(Reasons.RESOLVED_REFS, resolved.backend().invalidReason(),
                            resolved.message());
                }
            }
        }
        if (resolvedRefs == null) {
            resolvedRefs = ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS,
                    "all references are resolved");
        }
        final RouteOrigin origin = new RouteOrigin(kind.kind(), key.namespace(), key.name(), 0,
                ruleNames.isEmpty() ? null : ruleNames.get(0), 0);
        final RouteContext context = new RouteContext(key, route.getMetadata().getGeneration(), parentRefs,
                hostnames, null, resolvedRefs);
        return new CompiledL4Route(context, CreationTimestamps.of(route), new L4Route(origin, weighted));
    }
}
