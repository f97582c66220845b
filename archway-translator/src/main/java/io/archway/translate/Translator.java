package io.archway.translate;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.bind.Attachment;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.BackendTlsPolicies;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.GatewayClassAcceptor;
import io.archway.translate.bind.GatewayClassAcceptor.ClassDecision;
import io.archway.translate.bind.Kinds;
import io.archway.translate.bind.ListenerValidator;
import io.archway.translate.bind.ReferenceGrantIndex;
import io.archway.translate.bind.RouteAttacher;
import io.archway.translate.bind.RouteContext;
import io.archway.translate.compile.CompiledL4Route;
import io.archway.translate.compile.CompiledRoute;
import io.archway.translate.compile.GrpcRouteRuleCompiler;
import io.archway.translate.compile.L4RouteCompiler;
import io.archway.translate.compile.HttpRouteRuleCompiler;
import io.archway.translate.compile.RouteTableCompiler;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.GatewayStatusWriter;
import io.archway.translate.status.PolicyStatusWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Resources in, routing snapshot and status out. A pure function: no I/O, no clock, no mutation
 * of its input; the same view and version always give the same translation.
 *
 * <p>The phases, in order (each only reads what earlier ones produced):
 * <ol>
 *   <li>GatewayClasses: which are ours, and are they accepted ({@link GatewayClassAcceptor});</li>
 *   <li>Gateways of our classes: validate listeners, certificates, conflicts, and the ListenerSets
 *       attached to them, merged into their listeners by precedence ({@link ListenerValidator});</li>
 *   <li>routes: compile rules, resolve backendRefs ({@link HttpRouteRuleCompiler} for HTTPRoutes,
 *       {@link GrpcRouteRuleCompiler} for GRPCRoutes (into the same HTTP route entries),
 *       {@link L4RouteCompiler} for TLSRoutes, TCPRoutes and UDPRoutes);</li>
 *   <li>attach routes of every kind to listeners ({@link RouteAttacher} over each route's
 *       {@link io.archway.translate.bind.RouteContext}), which yields route status and attachedRoutes;</li>
 *   <li>Gateway and ListenerSet status, now that attachedRoutes is known ({@link GatewayStatusWriter});</li>
 *   <li>the routing table: sockets, listeners, virtual hosts, sorted entries ({@link RouteTableCompiler}).</li>
 * </ol>
 */
public final class Translator {
    /** More HTTPRoutes changed than this, and the memoized path is as cheap as an edit in place. */
    private static final int EDIT_IN_PLACE_LIMIT = 64;
    /** HTTPRoutes in key order, as {@link #sortedByKey} gives them (read only for routes that differ). */
    private static final Comparator<HasMetadata> ROUTE_ORDER = Comparator.comparing(
            (HasMetadata r) -> Kinds.keyOf(ResourceKind.HTTP_ROUTE, r));
    private final TranslatorOptions options;

    public Translator(TranslatorOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public TranslatorOptions options() {
        return options;
    }

    /**
     * Translates a view without checking certificate validity periods (for tools that have no
     * notion of now, and reproducible tests); {@code version} becomes the snapshot version.
     */
    public Translation translate(ResourceView view, long version) {
        return translate(view, version, null);
    }

    /**
     * Translates a view; {@code version} becomes the snapshot version.
     *
     * @param now the time listener certificates must be valid at (an expired one is
     *     InvalidCertificateRef): the translator reads no clock, so a caller serving traffic passes
     *     the current time; null to not check validity periods
     */
    public Translation translate(ResourceView view, long version, Instant now) {
        return translate(view, version, now, null);
    }

    /**
     * Translates a view reusing what {@code memo} kept of the previous translation where its inputs
     * did not change; the result is the one {@link #translate(ResourceView, long, Instant)} gives.
     *
     * @param memo null to translate in full
     */
    public Translation translate(ResourceView view, long version, Instant now, TranslationMemo memo) {
        Objects.requireNonNull(view, "view");
        final Diagnostics diagnostics = new Diagnostics(view);
        final ReferenceGrantIndex grants = new ReferenceGrantIndex(view.referenceGrants());

        // 1. GatewayClasses.
        final GatewayClassAcceptor classes = new GatewayClassAcceptor(options);
        classes.accept(view, diagnostics);

        // 2. Gateways of our classes, in key order (addresses depend on the whole sorted set).
        final Map<ResourceKey, Gateway> ourGateways = new TreeMap<>();
        final Map<ResourceKey, ClassDecision> decisions = new LinkedHashMap<>();
        for (Gateway gateway : view.gateways()) {
            final String className = gateway.getSpec() == null ? null : gateway.getSpec().getGatewayClassName();
            final Optional<ClassDecision> decision = classes.decisionFor(className);
            if (decision.isPresent()) {
                final ResourceKey key = Kinds.keyOf(ResourceKind.GATEWAY, gateway);
                ourGateways.put(key, gateway);
                decisions.put(key, decision.get());
            }
        }
        final List<ResourceKey> gatewayKeys = List.copyOf(ourGateways.keySet());
        final ListenerValidator validator = new ListenerValidator(view, grants, diagnostics, now,
                options.addressing() instanceof GatewayAddressing.ProvisionedServices);
        final Map<ResourceKey, BoundGateway> validated = new TreeMap<>();
        ourGateways.forEach((key, gateway) -> validated.put(key, validator.validate(gateway, decisions.get(key),
                options.addressing().addressFor(gatewayKeys, key))));
        final Map<ResourceKey, BoundGateway> bound = memo == null ? validated : memo.begin(options, view, validated);

        // 3. Routes, kind by kind in key order, compiled once whatever they attach to.
        final BackendTlsPolicies tlsPolicies = new BackendTlsPolicies(view, diagnostics);
        final BackendResolver backends = new BackendResolver(view, grants, tlsPolicies);
        final HttpRouteRuleCompiler ruleCompiler = new HttpRouteRuleCompiler(backends, diagnostics);
        if (memo != null && memo.reusing() && tlsPolicies.isEmpty() && view.grpcRoutes().isEmpty()
                && view.tlsRoutes().isEmpty() && view.tcpRoutes().isEmpty() && view.udpRoutes().isEmpty()) {
            final Translation edited = editInPlace(view, version, diagnostics, classes, bound, ruleCompiler, memo);
            if (edited != null) {
                return edited;
            }
        }
        if (memo != null && memo.listenerEdits() != null) {
            final Translation edited = tlsPolicies.isEmpty() && view.grpcRoutes().isEmpty() && view.tlsRoutes().isEmpty()
                    && view.tcpRoutes().isEmpty() && view.udpRoutes().isEmpty()
                    ? editListeners(view, version, diagnostics, classes, bound, memo) : null;
            if (edited != null) {
                return edited;
            }
            memo.forgetAttachment();
        }
        final List<CompiledRoute> routes = new ArrayList<>(view.httpRoutes().size() + view.grpcRoutes().size());
        sortedByKey(view, view.httpRoutes(), ResourceKind.HTTP_ROUTE).forEach(r -> routes.add(memo == null
                ? ruleCompiler.compile(r) : memo.compiled.get(r, diagnostics, () -> ruleCompiler.compile(r))));
        final int grpcRoutes = view.grpcRoutes().size();
        final GrpcRouteRuleCompiler grpcCompiler = new GrpcRouteRuleCompiler(backends, diagnostics);
        sortedByKey(view, view.grpcRoutes(), ResourceKind.GRPC_ROUTE).forEach(r -> routes.add(memo == null
                ? grpcCompiler.compile(r) : memo.compiled.get(r, diagnostics, () -> grpcCompiler.compile(r))));
        final L4RouteCompiler l4Compiler = new L4RouteCompiler(backends, diagnostics);
        final List<CompiledL4Route> l4Routes = new ArrayList<>();
        sortedByKey(view, view.tlsRoutes(), ResourceKind.TLS_ROUTE).forEach(r -> l4Routes.add(memo == null
                ? l4Compiler.compile(r) : memo.compiledL4.get(r, diagnostics, () -> l4Compiler.compile(r))));
        sortedByKey(view, view.tcpRoutes(), ResourceKind.TCP_ROUTE).forEach(r -> l4Routes.add(memo == null
                ? l4Compiler.compile(r) : memo.compiledL4.get(r, diagnostics, () -> l4Compiler.compile(r))));
        sortedByKey(view, view.udpRoutes(), ResourceKind.UDP_ROUTE).forEach(r -> l4Routes.add(memo == null
                ? l4Compiler.compile(r) : memo.compiledL4.get(r, diagnostics, () -> l4Compiler.compile(r))));

        // 4. Attachment.
        final Set<ResourceKey> allParents = allParents(view);
        warnOrphanListenerSets(view, allParents, diagnostics);
        final RouteAttacher attacher = new RouteAttacher(options.controllerName(), bound, allParents, diagnostics,
                memo == null ? null : memo.attachment);
        final List<RouteContext> contexts = new ArrayList<>(routes.size() + l4Routes.size());
        routes.forEach(r -> contexts.add(r.context()));
        l4Routes.forEach(r -> contexts.add(r.context()));
        attacher.attach(contexts, !view.httpRoutes().isEmpty() && !view.grpcRoutes().isEmpty());

        // 5. Gateway and ListenerSet status.
        final Map<ResourceKey, GatewayStatus> gatewayStatuses = new TreeMap<>();
        final Map<ResourceKey, ListenerSetStatus> listenerSetStatuses = new TreeMap<>();
        writeParentStatuses(bound, attacher, gatewayStatuses, listenerSetStatuses);

        // 5b. BackendTLSPolicy status: its ancestors are the Gateways that routes using its targets attach to.
        final Map<ResourceKey, PolicyStatus> policyStatuses = policyStatuses(attacher.attachments(), routes, backends,
                tlsPolicies);

        // 6. The routing table.
        final List<PortBinding> ports = new RouteTableCompiler(diagnostics, memo == null ? null : memo.table)
                .compile(new ArrayList<>(bound.values()), attacher.attachments(), routes, l4Routes);
        if (memo != null) {
            memo.end(grpcRoutes == 0 && l4Routes.isEmpty());
        }

        return new Translation(new RoutingSnapshot(version, ports),
                new StatusReport(classes.statuses(), gatewayStatuses, listenerSetStatuses, attacher.statuses(),
                        policyStatuses),
                diagnostics.sorted());
    }

    /**
     * The translation of a view whose HTTPRoutes are the previous translation's but for a few edited,
     * added or removed (every other one the same instance, in the same order): only the edited and
     * added routes are compiled and checked, and only the virtual hosts the changed routes served on
     * or serve on are built again; everything else is the previous translation's, shared (issue 14:
     * a one-route change at 10,000 routes without a pass over every route's objects). The result
     * equals a full translation's: each step of the full path is a function of one route at a time
     * (no hostname is claimed by two kinds), so the previous per-route results stand for the
     * unchanged routes, and the lists built from them (status entries, counts per listener, the
     * routes of each virtual host, in route order) are the previous ones with the changed routes'
     * entries replaced, inserted or removed. Null when it cannot serve (the memoized path then
     * runs): many routes changed, or the previous translation's attachment not at hand. Only for
     * views of HTTPRoutes alone (no other route kind, no BackendTLSPolicy) after a translation of
     * HTTPRoutes alone, with the memo reusing the previous binding.
     */
    private Translation editInPlace(ResourceView view, long version, Diagnostics diagnostics,
                                    GatewayClassAcceptor classes, Map<ResourceKey, BoundGateway> bound,
                                    HttpRouteRuleCompiler ruleCompiler, TranslationMemo memo) {
        if (!memo.httpRoutesOnly()) {
            return null;
        }
        final List<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoutes =
                sortedByKey(view, view.httpRoutes(), ResourceKind.HTTP_ROUTE);
        final List<Memoized.Change> changes = memo.compiled.changes(httpRoutes, EDIT_IN_PLACE_LIMIT, ROUTE_ORDER);
        final Set<ResourceKey> allParents = allParents(view);
        final RouteAttacher attacher = new RouteAttacher(options.controllerName(), bound, allParents, diagnostics,
                memo.attachment);
        if (changes == null || !attacher.canEditInPlace(memo.compiled.size())) {
            return null;
        }
        final List<HasMetadata> keys = new ArrayList<>(changes.size());
        final List<CompiledRoute> before = new ArrayList<>(changes.size());
        final List<CompiledRoute> after = new ArrayList<>(changes.size());
        final List<List<io.archway.translate.Diagnostic>> reported = new ArrayList<>(changes.size());
        final List<RouteContext> contexts = new ArrayList<>(changes.size());
        for (Memoized.Change c : changes) {
            before.add(c.kind() == Memoized.ChangeKind.ADDED ? null : memo.compiled.valueAt(c.previous()));
            if (c.kind() == Memoized.ChangeKind.REMOVED) {
                keys.add(null);
                after.add(null);
                reported.add(List.of());
                contexts.add(null);
                continue;
            }
            final var route = httpRoutes.get(c.next());
            final int mark = diagnostics.size();
            final CompiledRoute compiled = ruleCompiler.compile(route);
            keys.add(route);
            after.add(compiled);
            reported.add(diagnostics.takeSince(mark));
            contexts.add(compiled.context());
        }
        final List<RouteAttacher.Edit> edits = attacher.prepareInPlace(changes, contexts);
        memo.compiled.splice(changes, keys, after, reported);
        final ParentStatuses parents = commitInPlace(view, allParents, diagnostics, memo, attacher, edits, bound);
        final List<RouteTableCompiler.RouteEdit> routeEdits = new ArrayList<>(changes.size());
        for (int k = 0; k < changes.size(); k++) {
            final RouteAttacher.Edit e = edits.get(k);
            final CompiledRoute route = after.get(k) != null ? after.get(k) : before.get(k);
            routeEdits.add(new RouteTableCompiler.RouteEdit(route.context().key(), before.get(k), e.attachedBefore(),
                    after.get(k), e.attachedAfter()));
        }
        final List<PortBinding> ports = new RouteTableCompiler(diagnostics, memo.table).compileInPlace(
                new ArrayList<>(bound.values()), attacher::attachments, routeEdits, httpRoutes.size(),
                List.of()); // 6.
        return translatedInPlace(version, ports, classes, parents, attacher, diagnostics, memo);
    }

    /**
     * The translation of a view whose routes are the previous translation's (HTTPRoutes alone, the
     * same instances) and whose Gateways are bound as before but for listeners added or removed
     * ({@link TranslationMemo#listenerEdits}; every other listener the previous instance): every
     * compiled route and every other listener's virtual hosts are kept, and only the routes the
     * changed listeners can reach are attached again, against those listeners alone where their
     * status cannot change ({@link RouteAttacher#prepareListenerEdits}); the Gateways' status is
     * written from the counts so patched. Null when it cannot serve (routes changed as well, or the
     * previous attachment not at hand).
     */
    private Translation editListeners(ResourceView view, long version, Diagnostics diagnostics,
                                      GatewayClassAcceptor classes, Map<ResourceKey, BoundGateway> bound,
                                      TranslationMemo memo) {
        if (!memo.httpRoutesOnly()) {
            return null;
        }
        final List<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoutes =
                sortedByKey(view, view.httpRoutes(), ResourceKind.HTTP_ROUTE);
        final Set<ResourceKey> allParents = allParents(view);
        final RouteAttacher attacher = new RouteAttacher(options.controllerName(), bound, allParents, diagnostics,
                memo.attachment);
        if (memo.compiled.changes(httpRoutes, 0, ROUTE_ORDER) == null || !attacher.canEditInPlace(httpRoutes.size())) {
            return null;
        }
        final List<RouteAttacher.Edit> edits = attacher.prepareListenerEdits(memo.listenerEdits());
        final ParentStatuses parents = commitInPlace(view, allParents, diagnostics, memo, attacher, edits, bound);
        final List<RouteTableCompiler.RouteEdit> routeEdits = new ArrayList<>(edits.size());
        for (RouteAttacher.Edit e : edits) {
            final CompiledRoute route = memo.compiled.valueAt(e.position());
            routeEdits.add(new RouteTableCompiler.RouteEdit(route.context().key(), route, e.attachedBefore(), route,
                    e.attachedAfter()));
        }
        final List<BoundListener> added = new ArrayList<>();
        final List<BoundListener> removed = new ArrayList<>();
        for (RouteAttacher.ListenerEdit e : memo.listenerEdits()) {
            e.added().stream().filter(l -> e.gateway().accepted() && l.served()).forEach(added::add);
            removed.addAll(e.removed());
        }
        final List<PortBinding> ports = new RouteTableCompiler(diagnostics, memo.table).compileInPlace(
                new ArrayList<>(bound.values()), attacher::attachments, routeEdits, httpRoutes.size(), List.of(),
                added, removed); // 6.
        return translatedInPlace(version, ports, classes, parents, attacher, diagnostics, memo);
    }

    /** The keys of every Gateway and ListenerSet in the view, ours or not. */
    private static Set<ResourceKey> allParents(ResourceView view) {
        final Set<ResourceKey> allParents = view.gateways().stream().map(g -> Kinds.keyOf(ResourceKind.GATEWAY, g))
                .collect(Collectors.toCollection(java.util.HashSet::new));
        view.listenerSets().forEach(s -> allParents.add(Kinds.keyOf(ResourceKind.LISTENER_SET, s)));
        return allParents;
    }

    /** A ListenerSet whose Gateway is missing has no status writer at all: says so. */
    /** The Gateways' and ListenerSets' status an edit in place writes, by key. */
    private record ParentStatuses(Map<ResourceKey, GatewayStatus> gateways,
                                  Map<ResourceKey, ListenerSetStatus> listenerSets) {
    }

    /**
     * Steps 3 to 5 of an edit in place: every route's diagnostics in route order, the attachment
     * edits committed, and the parents' status written from the counts so patched.
     */
    private static ParentStatuses commitInPlace(ResourceView view, Set<ResourceKey> allParents, Diagnostics diagnostics,
                                                TranslationMemo memo, RouteAttacher attacher,
                                                List<RouteAttacher.Edit> edits, Map<ResourceKey, BoundGateway> bound) {
        memo.compiled.reportAll(diagnostics); // 3., in route order
        warnOrphanListenerSets(view, allParents, diagnostics);
        attacher.commitInPlace(edits); // 4.
        final ParentStatuses parents = new ParentStatuses(new TreeMap<>(), new TreeMap<>());
        writeParentStatuses(bound, attacher, parents.gateways(), parents.listenerSets()); // 5.
        return parents;
    }

    /** The translation an edit in place ends with, the memo told it was taken. */
    private static Translation translatedInPlace(long version, List<PortBinding> ports, GatewayClassAcceptor classes,
                                                 ParentStatuses parents, RouteAttacher attacher,
                                                 Diagnostics diagnostics, TranslationMemo memo) {
        memo.editedInPlace();
        return new Translation(new RoutingSnapshot(version, ports),
                new StatusReport(classes.statuses(), parents.gateways(), parents.listenerSets(), attacher.statuses(),
                        Map.of()),
                diagnostics.sorted());
    }

    private static void warnOrphanListenerSets(ResourceView view, Set<ResourceKey> allParents, Diagnostics diagnostics) {
        for (var set : view.listenerSets()) {
            final ResourceKey parent = ListenerValidator.parentGateway(set);
            if (parent == null || !allParents.contains(parent)) {
                diagnostics.warning(Kinds.keyOf(ResourceKind.LISTENER_SET, set), "spec.parentRef", parent == null
                        ? "parentRef does not name a Gateway" : parent + " does not exist");
            }
        }
    }

    /** Phase 5: each Gateway's and ListenerSet's status, with their listeners' attached routes. */
    private static void writeParentStatuses(Map<ResourceKey, BoundGateway> bound, RouteAttacher attacher,
                                            Map<ResourceKey, GatewayStatus> gatewayStatuses,
                                            Map<ResourceKey, ListenerSetStatus> listenerSetStatuses) {
        bound.forEach((key, gateway) -> {
            gatewayStatuses.put(key, GatewayStatusWriter.write(gateway, listener -> attacher.attachedRoutes(key, listener)));
            gateway.listenerSets().forEach(set -> listenerSetStatuses.put(set.key(),
                    GatewayStatusWriter.write(set, listener -> attacher.attachedRoutes(set.key(), listener))));
        });
    }

    /**
     * Each BackendTLSPolicy's status, with one ancestor per Gateway an HTTPRoute or GRPCRoute
     * attaches to whose backendRefs (or mirrors) name a Service port the policy targets.
     */
    private Map<ResourceKey, PolicyStatus> policyStatuses(List<Attachment> attachments, List<CompiledRoute> routes,
                                                          BackendResolver backends, BackendTlsPolicies tlsPolicies) {
        if (tlsPolicies.isEmpty()) {
            return Map.of(); // without a policy, no walk over every backend of every attached route
        }
        final Map<ResourceKey, Set<ResourceKey>> ancestors = new TreeMap<>();
        for (Attachment a : attachments) {
            if (a.routeIndex() >= routes.size()) {
                continue;
            }
            for (HttpRouteEntry entry : routes.get(a.routeIndex()).entries()) {
                final List<WeightedBackend> used = new ArrayList<>(entry.backends());
                entry.filters().stream().filter(f -> f instanceof HttpFilter.RequestMirror)
                        .forEach(f -> used.add(((HttpFilter.RequestMirror) f).backend()));
                for (WeightedBackend b : used) {
                    backends.tlsPoliciesOf(b.origin()).forEach(p -> ancestors.computeIfAbsent(p,
                            k -> new TreeSet<>()).add(a.gateway()));
                }
            }
        }
        final Map<ResourceKey, PolicyStatus> out = new TreeMap<>();
        ancestors.forEach((policy, gateways) -> out.put(policy, PolicyStatusWriter.write(options.controllerName(),
                gateways, tlsPolicies.conditions(policy), tlsPolicies.generation(policy))));
        return out;
    }

    /**
     * {@code routes} in key order (within one kind: namespace, then name). A store's view says it is
     * in that order already ({@link ResourceView#inKeyOrder()}: no pass over 10,000 routes' names
     * per change); another view is checked in one pass of comparisons and sorted when it is not.
     */
    private static <T extends HasMetadata> List<T> sortedByKey(ResourceView view, List<T> routes, ResourceKind kind) {
        if (view.inKeyOrder()) {
            return routes;
        }
        boolean sorted = true;
        for (int i = 1; i < routes.size() && sorted; i++) {
            sorted = inKeyOrder(routes.get(i - 1), routes.get(i));
        }
        if (sorted) {
            return routes;
        }
        final List<T> copy = new ArrayList<>(routes);
        copy.sort(Comparator.comparing((HasMetadata r) -> Kinds.keyOf(kind, r)));
        return copy;
    }

    /** Whether {@code a} comes strictly before {@code b} by {@link ResourceKey} within one kind. */
    private static boolean inKeyOrder(HasMetadata a, HasMetadata b) {
        final int ns = java.util.Objects.toString(a.getMetadata().getNamespace(), "")
                .compareTo(java.util.Objects.toString(b.getMetadata().getNamespace(), ""));
        return ns < 0 || ns == 0 && a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
    }
}
