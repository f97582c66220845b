package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Phase 4: attaches routes of every kind to the listeners of our Gateways (parentRefs). A parentRef
 * names a {@link ListenerParent}: a Gateway of ours, whose own listeners are relevant, or a
 * ListenerSet attached to one, whose listeners are (GEP-1713: a Gateway parentRef never reaches
 * its ListenerSets' listeners). Every relevant listener is checked ({@link ListenerCheck}: named
 * by sectionName and port, accepted, allowing the route's kind and namespace, hostnames
 * intersecting); the route attaches to each listener that passes. When none does, the route is not
 * accepted by that parent, for the reason of the step the furthest listener reached
 * (NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname). parentRefs to Gateways of
 * other controllers, and to their ListenerSets, get no status entry from us.
 */
public final class RouteAttacher {
    private final String controllerName;
    private final Map<ResourceKey, ListenerParent> parentsByKey = new HashMap<>();
    /** The Gateway each parent's listeners are served for. */
    private final Map<ResourceKey, BoundGateway> servingGateway = new HashMap<>();
    private final Set<ResourceKey> allParents;
    private final Diagnostics diagnostics;
    private ArrayList<Attachment> attachments = new ArrayList<>();
    /**
     * Each route's parents' status, as parallel lists in route order: hashing 10,000 keys into a map
     * on every change was on the change-to-live path; the status report indexes them when read.
     */
    private ArrayList<ResourceKey> statusKeys = new ArrayList<>();
    private ArrayList<List<RouteParentStatus>> statusValues = new ArrayList<>();
    /** The routes' status as handed out, when the memo keeps it for an edit in place (else made when asked). */
    private io.archway.translate.IndexedOnRead<ResourceKey, List<RouteParentStatus>> statuses;
    /**
     * For each route, how many routes before it have a status entry (its entry's index in the status
     * lists when it has one), and the total at the end; kept for an edit in place, null without a memo.
     */
    private int[] statusBefore;
    /** Routes attached per listener (a listener belongs to one parent, so its id is one). */
    private Map<BoundListener, int[]> attachedPerListener = new java.util.IdentityHashMap<>();
    private Map<BoundListener, String> listenerIds = new java.util.IdentityHashMap<>();
    private BoundListener lastListener;
    private int[] lastCount;
    private Map<String, Integer> attachedRoutes;
    private final Memo memo;

    /**
     * What attachment computed per route in the previous translation, for a caller that
     * translates again with the same Gateways and ListenerSets bound the same way (the same
     * {@link BoundGateway} instances): each route's listener checks by its {@link RouteContext}
     * instance, and each route's outcome (status, attachments, diagnostics) by its checks' list
     * instance, which {@link HostnameClaims} replaces when a claim is lost; without routes of both
     * kinds (no claims to resolve), checks and outcome by the {@link RouteContext} instance in one step.
     */
    public static final class Memo {
        final io.archway.translate.Memoized<RouteContext, List<ParentCheck>> checks = new io.archway.translate.Memoized<>();
        final io.archway.translate.Memoized<List<ParentCheck>, Outcome> outcomes = new io.archway.translate.Memoized<>();
        /** Checks and outcome in one step, by route, when no hostname is claimed by two kinds. */
        final io.archway.translate.Memoized<RouteContext, Outcome> routeOutcomes = new io.archway.translate.Memoized<>();
        /**
         * The previous translation's attachment, when it took the one-step way ({@link #routeOutcomes}
         * in route order): what an edit in place starts from; null otherwise.
         */
        private Previous last;

        /** Forgets everything (the Gateways or anything else every route depends on changed). */
        public void clear() {
            checks.clear();
            outcomes.clear();
            routeOutcomes.clear();
            last = null;
        }

        /** Ends a translation that took the memoized way: what it used is what the next may reuse. */
        public void roll() {
            checks.roll();
            outcomes.roll();
            routeOutcomes.roll();
        }
    }

    /**
     * What one translation's attachment produced, shared with the next by an edit in place: none of
     * these lists or maps is changed once a translation has returned (an edit copies what it changes).
     */
    private record Previous(int routes, ArrayList<ResourceKey> statusKeys,
                            ArrayList<List<RouteParentStatus>> statusValues,
                            io.archway.translate.IndexedOnRead<ResourceKey, List<RouteParentStatus>> statuses,
                            int[] statusBefore,
                            Map<BoundListener, int[]> attachedPerListener, Map<BoundListener, String> listenerIds) {
    }

    /**
     * A route edited, added or removed, with its outcome before (null: added) and after (null:
     * removed), the latter computed ahead of its place ({@link #prepareInPlace}).
     */
    public static final class Edit {
        private final io.archway.translate.Memoized.Change change;
        private final RouteContext route;
        private final Outcome was;
        private final Outcome outcome;
        private final List<Diagnostic> reported;

        private Edit(io.archway.translate.Memoized.Change change, RouteContext route, Outcome was, Outcome outcome,
                     List<Diagnostic> reported) {
            this.change = change;
            this.route = route;
            this.was = was;
            this.outcome = outcome;
            this.reported = reported;
        }

        /** The route's position in the previous translation's routes (where it goes, when added). */
        public int position() {
            return change.previous();
        }

        /** The route's attachments in the previous translation (none when added). */
        public List<Attachment> attachedBefore() {
            return attachments(was, change.previous());
        }

        /** The route's attachments in this translation (none when removed). */
        public List<Attachment> attachedAfter() {
            return attachments(outcome, change.next());
        }

        private static List<Attachment> attachments(Outcome outcome, int index) {
            if (outcome == null) {
                return List.of();
            }
            final List<Attachment> out = new ArrayList<>(outcome.attached().size());
            for (Attached a : outcome.attached()) {
                out.add(new Attachment(a.gateway(), a.backendClientCertificate(), a.listener(), index, a.hostnames()));
            }
            return out;
        }
    }

    /**
     * One route's attachment: its parents' status (under {@code statusKey}, the route's key, or null
     * when it has no parent of ours) and the listeners it attaches to, in order, each once. The
     * key is kept here so that applying a reused outcome reads nothing of the route itself.
     */
    record Outcome(ResourceKey statusKey, List<RouteParentStatus> parents, List<Attached> attached) {
    }

    /**
     * One listener a route attaches to, with the key and backend client certificate of the Gateway
     * it is served for: not that Gateway's {@link BoundGateway}, which a listener added or removed
     * binds anew while outcomes are kept (the previous instance, with the listeners of its time,
     * would stay reachable from every kept outcome).
     */
    record Attached(ResourceKey gateway, io.archway.snapshot.CertificateBundle backendClientCertificate,
                    BoundListener listener, String listenerId, List<String> hostnames) {
        Attached(BoundGateway gateway, BoundListener listener, String listenerId, List<String> hostnames) {
            this(gateway.key(), gateway.backendClientCertificate(), listener, listenerId, hostnames);
        }
    }

    /**
     * @param gateways ours, with their ListenerSets
     * @param allParents the keys of every Gateway and ListenerSet in the view, ours or not
     */
    public RouteAttacher(String controllerName, Map<ResourceKey, BoundGateway> gateways, Set<ResourceKey> allParents,
                         Diagnostics diagnostics) {
        this(controllerName, gateways, allParents, diagnostics, null);
    }

    /** @param memo the previous translation's per-route results for these same gateways, or null */
    public RouteAttacher(String controllerName, Map<ResourceKey, BoundGateway> gateways, Set<ResourceKey> allParents,
                         Diagnostics diagnostics, Memo memo) {
        this.controllerName = controllerName;
        this.memo = memo;
        this.allParents = allParents;
        this.diagnostics = diagnostics;
        for (BoundGateway gateway : gateways.values()) {
            parentsByKey.put(gateway.key(), gateway);
            servingGateway.put(gateway.key(), gateway);
            for (BoundListenerSet set : gateway.listenerSets()) {
                parentsByKey.put(set.key(), set);
                servingGateway.put(set.key(), gateway);
            }
        }
    }

    /** The parent a parentRef names, when it is a Gateway or ListenerSet (of any controller), else null. */
    public static ResourceKey parentKey(ParentReference ref, String routeNamespace) {
        final String group = Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP);
        final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind());
        if (!group.equals(ResourceKind.GATEWAY_GROUP) || ref.getName() == null
                || !(kind.equals(ResourceKind.GATEWAY.kind()) || kind.equals(ResourceKind.LISTENER_SET.kind()))) {
            return null;
        }
        return new ResourceKey(kind, Kinds.orDefault(ref.getNamespace(), routeNamespace), ref.getName());
    }

    /** The Gateway or ListenerSet of ours {@code key} names, if any. */
    public java.util.Optional<ListenerParent> parent(ResourceKey key) {
        return java.util.Optional.ofNullable(parentsByKey.get(key));
    }

    /** Attaches {@code routes}; an {@link Attachment#routeIndex()} is the route's index in this list. */
    public void attach(List<RouteContext> routes) {
        attach(routes, true);
    }

    /**
     * As {@link #attach(List)}; {@code bothKinds} false says that the routes are not both HTTPRoutes
     * and GRPCRoutes, so no hostname is claimed by both ({@link HostnameClaims}) and the routes need
     * not be looked at for it.
     */
    public void attach(List<RouteContext> routes, boolean bothKinds) {
        if (attachments.isEmpty()) { // sized once (a route mostly attaches to one listener), not grown step by step
            attachments.ensureCapacity(routes.size());
            statusKeys.ensureCapacity(routes.size());
            statusValues.ensureCapacity(routes.size());
        }
        if (!bothKinds) {
            // No hostname is claimed by two kinds, so a route's outcome follows from its own checks:
            // one step per route, and one memo look-up per unchanged route instead of two.
            if (memo != null) {
                statusBefore = new int[routes.size() + 1];
            }
            for (int i = 0; i < routes.size(); i++) {
                final RouteContext route = routes.get(i);
                apply(i, memo == null ? outcome(route, check(route))
                        : memo.routeOutcomes.get(route, diagnostics, () -> outcome(route, check(route))));
            }
            if (memo != null) {
                statusBefore[routes.size()] = statusKeys.size();
                statuses = new io.archway.translate.IndexedOnRead<>(statusKeys, statusValues);
                memo.last = new Previous(routes.size(), statusKeys, statusValues, statuses, statusBefore,
                        attachedPerListener, listenerIds);
            }
            return;
        }
        if (memo != null) {
            memo.last = null;
        }
        final List<List<ParentCheck>> parents = new ArrayList<>(routes.size());
        for (RouteContext route : routes) {
            parents.add(memo == null ? check(route) : memo.checks.get(route, diagnostics, () -> check(route)));
        }
        HostnameClaims.resolve(routes, parents);
        for (int i = 0; i < routes.size(); i++) {
            final RouteContext route = routes.get(i);
            final List<ParentCheck> checks = parents.get(i);
            apply(i, memo == null ? outcome(route, checks)
                    : memo.outcomes.get(checks, diagnostics, () -> outcome(route, checks)));
        }
    }

    /**
     * Whether an edit in place can start from the previous translation's attachment: it attached
     * {@code routeCount} routes the one-step way (no hostname claimed by two kinds).
     */
    public boolean canEditInPlace(int routeCount) {
        return memo != null && memo.last != null && memo.last.routes() == routeCount;
    }

    /**
     * An edit in place, first step: the checks and outcome of each route edited or added, with the
     * diagnostics they report taken aside, beside the outcome the previous translation gave it.
     * Changes no state ({@link #canEditInPlace} must hold).
     *
     * @param changes how the routes differ from the previous translation's
     * @param routes the route of each change, null for a removed one
     */
    public List<Edit> prepareInPlace(List<io.archway.translate.Memoized.Change> changes, List<RouteContext> routes) {
        final List<Edit> edits = new ArrayList<>(changes.size());
        for (int k = 0; k < changes.size(); k++) {
            final io.archway.translate.Memoized.Change change = changes.get(k);
            final RouteContext route = routes.get(k);
            final Outcome was = change.kind() == io.archway.translate.Memoized.ChangeKind.ADDED ? null
                    : memo.routeOutcomes.valueAt(change.previous());
            if (route == null) {
                edits.add(new Edit(change, null, was, null, List.of()));
                continue;
            }
            final int mark = diagnostics.size();
            final Outcome outcome = outcome(route, check(route));
            edits.add(new Edit(change, route, was, outcome, diagnostics.takeSince(mark)));
        }
        return edits;
    }

    /**
     * An edit in place, second step: this attacher's results are the previous translation's with the
     * edits applied: the status lists copied with the edited routes' entries replaced, added or
     * removed (the unchanged routes' entries are the same instances), the counts per listener
     * copied and adjusted when an edit attaches elsewhere, and every route's diagnostics reported in
     * route order, as {@link #attach} reports them. The attachment list is made only if asked for.
     */
    public void commitInPlace(List<Edit> edits) {
        final Previous previous = memo.last;
        final List<io.archway.translate.Memoized.Change> changes = new ArrayList<>(edits.size());
        final List<RouteContext> keys = new ArrayList<>(edits.size());
        final List<Outcome> values = new ArrayList<>(edits.size());
        final List<List<Diagnostic>> reported = new ArrayList<>(edits.size());
        boolean statusesMove = false; // an entry added or removed: the indices after it move
        boolean countsChange = false;
        int routes = previous.routes();
        for (Edit e : edits) {
            changes.add(e.change);
            keys.add(e.route);
            values.add(e.outcome);
            reported.add(e.reported);
            statusesMove |= hasStatus(e.was) != hasStatus(e.outcome);
            countsChange |= e.was == null || e.outcome == null || !attachesAlike(e.was, e.outcome);
            routes += e.was == null ? 1 : e.outcome == null ? -1 : 0;
        }
        memo.routeOutcomes.splice(changes, keys, values, reported);
        memo.routeOutcomes.reportAll(diagnostics);
        statusKeys = statusesMove ? new ArrayList<>(previous.statusKeys()) : previous.statusKeys();
        statusValues = new ArrayList<>(previous.statusValues());
        final int[] before = previous.statusBefore();
        statusBefore = statusesMove || routes != previous.routes() ? new int[routes + 1] : before;
        int from = 0; // in the previous routes
        int to = 0; // in this translation's
        int delta = 0; // status entries added less those removed so far
        for (Edit e : edits) {
            if (statusBefore != before) {
                while (from < e.change.previous()) {
                    statusBefore[to++] = before[from++] + delta;
                }
            } else {
                from = e.change.previous();
                to = from;
            }
            final int at = before[from] + delta; // the route's status index in the lists as edited so far
            if (e.was != null) {
                from++;
            }
            if (e.outcome != null) {
                if (statusBefore != before) {
                    statusBefore[to] = at;
                }
                to++;
            }
            if (hasStatus(e.was) && hasStatus(e.outcome)) {
                statusValues.set(at, e.outcome.parents());
            } else if (hasStatus(e.was)) {
                statusKeys.remove(at);
                statusValues.remove(at);
                delta--;
            } else if (hasStatus(e.outcome)) {
                statusKeys.add(at, e.outcome.statusKey());
                statusValues.add(at, e.outcome.parents());
                delta++;
            }
        }
        if (statusBefore != before) {
            while (from <= previous.routes()) {
                statusBefore[to++] = before[from++] + delta;
            }
        }
        attachedPerListener = previous.attachedPerListener();
        listenerIds = previous.listenerIds();
        if (countsChange) { // copied: the previous translation's counts are its own
            attachedPerListener = new java.util.IdentityHashMap<>(attachedPerListener);
            attachedPerListener.replaceAll((l, n) -> n.clone());
            listenerIds = new java.util.IdentityHashMap<>(listenerIds);
            for (Edit e : edits) {
                if (e.was != null) {
                    e.was.attached().forEach(a -> attachedPerListener.get(a.listener())[0]--);
                }
                if (e.outcome != null) {
                    for (Attached a : e.outcome.attached()) {
                        attachedPerListener.computeIfAbsent(a.listener(), l -> new int[1])[0]++;
                        listenerIds.putIfAbsent(a.listener(), a.listenerId());
                    }
                }
            }
            // As the full path's: no entry for a listener without routes (a removed one's instance let go).
            attachedPerListener.values().removeIf(n -> n[0] == 0);
            listenerIds.keySet().retainAll(attachedPerListener.keySet());
        }
        attachments = null;
        statuses = new io.archway.translate.IndexedOnRead<>(statusKeys, statusValues, previous.statuses());
        memo.last = new Previous(routes, statusKeys, statusValues, statuses, statusBefore, attachedPerListener,
                listenerIds);
    }

    private static boolean hasStatus(Outcome outcome) {
        return outcome != null && outcome.statusKey() != null;
    }

    /**
     * Listeners added to or removed from one Gateway of ours whose binding is otherwise the previous
     * one (its other listeners the previous instances).
     */
    public record ListenerEdit(BoundGateway gateway, List<BoundListener> added, List<BoundListener> removed) {
    }

    /**
     * An edit in place after listeners were added or removed ({@link ListenerEdit}), the routes the
     * previous translation's: the outcome of each route that the changes reach (a parentRef naming
     * the Gateway whose sectionName and port do not rule the listener out), as a full translation
     * gives it, with its diagnostics. A route that attached to the Gateway through its only
     * parentRef naming it keeps its status (still Accepted: it attaches to a listener of it still)
     * and gains or loses the changed listeners' attachments alone, each checked
     * ({@link ListenerCheck}) against the route; any other reached route is checked again in full
     * (its status may change: the reason of a refusal is the furthest step over every listener).
     * The rest keep their outcome. Changes no state ({@link #canEditInPlace} must hold). Reads
     * each route's parentRefs once.
     */
    public List<Edit> prepareListenerEdits(List<ListenerEdit> changed) {
        final io.archway.translate.Memoized<RouteContext, Outcome> outcomes = memo.routeOutcomes;
        final List<Edit> edits = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            final RouteContext route = outcomes.keyAt(i);
            final Outcome was = outcomes.valueAt(i);
            Outcome now = was;
            for (ListenerEdit c : changed) {
                now = now == null ? null : withListeners(route, now, c);
            }
            if (now == was) {
                continue;
            }
            List<Diagnostic> reported = outcomes.reportedAt(i);
            if (now == null) {
                final int mark = diagnostics.size();
                now = outcome(route, check(route));
                reported = diagnostics.takeSince(mark);
            }
            final int at = i;
            edits.add(new Edit(new io.archway.translate.Memoized.Change(io.archway.translate.Memoized.ChangeKind.EDITED,
                    at, at), route, was, now, reported));
        }
        return edits;
    }

    /**
     * {@code outcome} with {@code change}'s listeners attached or detached, the same instance when
     * the change does not reach the route, null when the route has to be checked again in full.
     */
    private Outcome withListeners(RouteContext route, Outcome outcome, ListenerEdit change) {
        final ResourceKey gateway = change.gateway().key();
        ParentReference naming = null;
        boolean reached = false;
        int refs = 0;
        for (ParentReference ref : route.parentRefs()) {
            if (names(ref, route.key().namespace(), gateway)) {
                refs++;
                naming = ref;
                for (BoundListener l : change.added()) {
                    reached |= reaches(ref, l);
                }
                for (BoundListener l : change.removed()) {
                    reached |= reaches(ref, l);
                }
            }
        }
        if (!reached) {
            return outcome;
        }
        if (refs > 1 || !attachedTo(outcome, gateway)) {
            return null; // two parentRefs share listeners, or a refusal whose reason may change
        }
        List<Attached> attached = outcome.attached();
        for (BoundListener l : change.removed()) {
            if (reaches(naming, l)) {
                attached = attached.stream().filter(a -> a.listener() != l).toList();
            }
        }
        if (attached.stream().noneMatch(a -> a.gateway().equals(gateway))) {
            return null; // it lost its last listener of the Gateway: not accepted any more
        }
        for (BoundListener l : change.added()) {
            if (reaches(naming, l)) {
                final ListenerCheck check = ListenerCheck.of(l, naming, route);
                if (check.attached()) {
                    attached = inListenerOrder(attached, new Attached(servingGateway.get(gateway), l,
                            listenerId(gateway, l.name()), check.effectiveHostnames()), change.gateway().listeners());
                }
            }
        }
        return attached == outcome.attached() ? outcome
                : new Outcome(outcome.statusKey(), outcome.parents(), List.copyOf(attached));
    }

    /** Whether {@code ref} (of a route in {@code namespace}) names the Gateway {@code gateway}. */
    private static boolean names(ParentReference ref, String namespace, ResourceKey gateway) {
        return Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP).equals(ResourceKind.GATEWAY_GROUP)
                && Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind()).equals(gateway.kind())
                && gateway.name().equals(ref.getName())
                && gateway.namespace().equals(Kinds.orDefault(ref.getNamespace(), namespace));
    }

    /** Whether {@code ref}'s sectionName and port leave {@code listener} among those it names. */
    private static boolean reaches(ParentReference ref, BoundListener listener) {
        return (ref.getSectionName() == null || ref.getSectionName().equals(listener.name()))
                && (ref.getPort() == null || ref.getPort() == listener.port());
    }

    private static boolean attachedTo(Outcome outcome, ResourceKey gateway) {
        for (Attached a : outcome.attached()) {
            if (a.gateway().equals(gateway)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code attached} with {@code added} among the Gateway's entries (which follow each other, in
     * its listeners' order, as {@link #attachToParent} adds them).
     */
    private static List<Attached> inListenerOrder(List<Attached> attached, Attached added, List<BoundListener> order) {
        final int rank = rank(order, added.listener());
        final List<Attached> out = new ArrayList<>(attached.size() + 1);
        boolean placed = false;
        boolean seen = false; // the Gateway's entries began
        for (Attached a : attached) {
            final boolean ours = a.gateway().equals(added.gateway());
            if (!placed && (ours && rank(order, a.listener()) > rank || seen && !ours)) {
                out.add(added);
                placed = true;
            }
            seen |= ours;
            out.add(a);
        }
        if (!placed) {
            out.add(added);
        }
        return out;
    }

    private static int rank(List<BoundListener> order, BoundListener listener) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i) == listener) {
                return i;
            }
        }
        throw new IllegalStateException("listener " + listener.origin() + " is not its Gateway's");
    }

    /** Whether two outcomes give the same status key and the same attachments (listeners by identity). */
    private static boolean attachesAlike(Outcome a, Outcome b) {
        if (!Objects.equals(a.statusKey(), b.statusKey()) || a.attached().size() != b.attached().size()) {
            return false;
        }
        for (int i = 0; i < a.attached().size(); i++) {
            final Attached x = a.attached().get(i);
            final Attached y = b.attached().get(i);
            if (!x.gateway().equals(y.gateway()) || x.listener() != y.listener() || !x.listenerId().equals(y.listenerId())
                    || !x.hostnames().equals(y.hostnames())) {
                return false;
            }
        }
        return true;
    }

    /**
     * One parentRef of ours and the check of each of its parent's relevant listeners.
     *
     * @param index the parentRef's index in spec.parentRefs
     * @param group the parentRef's group with its default
     * @param kind the parentRef's kind with its default
     */
    record ParentCheck(int index, ParentReference ref, String group, String kind, ListenerParent parent,
                       List<ListenerCheck> checks) {
    }

    /** The parentRefs of {@code route} that name a Gateway or ListenerSet of ours, each with its listener checks. */
    private List<ParentCheck> check(RouteContext route) {
        final List<ParentReference> parentRefs = route.parentRefs();
        final List<ParentCheck> out = new ArrayList<>();
        for (int p = 0; p < parentRefs.size(); p++) {
            final ParentReference ref = parentRefs.get(p);
            final String group = Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP);
            final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind());
            if (!group.equals(ResourceKind.GATEWAY_GROUP)
                    || !(kind.equals(ResourceKind.GATEWAY.kind()) || kind.equals(ResourceKind.LISTENER_SET.kind()))) {
                continue;
            }
            if (ref.getName() == null) {
                diagnostics.error(route.key(), "spec.parentRefs[" + p + "].name", "parentRef without name");
                continue;
            }
            final ResourceKey parentKey = parentKey(ref, route.key().namespace());
            final ListenerParent parent = parentsByKey.get(parentKey);
            if (parent == null) {
                if (!allParents.contains(parentKey)) {
                    diagnostics.warning(route.key(), "spec.parentRefs[" + p + "]", parentKey + " does not exist");
                }
                continue;
            }
            out.add(new ParentCheck(p, ref, group, kind, parent,
                    parent.listeners().stream().map(l -> ListenerCheck.of(l, ref, route)).toList()));
        }
        return out;
    }

    /** What {@code route} gets from its checked parents; reports diagnostics, changes no state. */
    private Outcome outcome(RouteContext route, List<ParentCheck> parentChecks) {
        final List<RouteParentStatus> parents = new ArrayList<>();
        final List<Attached> attachedTo = new ArrayList<>();
        for (ParentCheck parent : parentChecks) {
            final ConditionSpec accepted = attachToParent(route, parent, attachedTo);
            parents.add(new RouteParentStatusBuilder()
                    .withParentRef(echo(parent.ref(), parent.group(), parent.kind()))
                    .withControllerName(controllerName)
                    .withConditions(accepted.toCondition(route.generation()),
                            route.resolvedRefs().toCondition(route.generation()))
                    .build());
        }
        return new Outcome(parents.isEmpty() ? null : route.key(), List.copyOf(parents), List.copyOf(attachedTo));
    }

    private void apply(int routeIndex, Outcome outcome) {
        if (statusBefore != null) {
            statusBefore[routeIndex] = statusKeys.size();
        }
        if (outcome.statusKey() != null) {
            statusKeys.add(outcome.statusKey());
            statusValues.add(outcome.parents());
        }
        for (Attached a : outcome.attached()) {
            attachments.add(new Attachment(a.gateway(), a.backendClientCertificate(), a.listener(), routeIndex,
                    a.hostnames()));
            if (a.listener() != lastListener) { // routes in a row mostly attach to one listener
                lastListener = a.listener();
                lastCount = attachedPerListener.computeIfAbsent(lastListener, l -> new int[1]);
                listenerIds.putIfAbsent(lastListener, a.listenerId());
            }
            lastCount[0]++;
        }
    }

    private ConditionSpec attachToParent(RouteContext route, ParentCheck check, List<Attached> attachedTo) {
        final ListenerParent parent = check.parent();
        final List<ListenerCheck> checks = check.checks();
        final ConditionSpec refused = refusal(route, check.ref(), parent, checks);
        if (refused != null) {
            if (refused != route.notAccepted()) { // the compile phase reported that one
                diagnostics.error(route.key(), "spec.parentRefs[" + check.index() + "]", refused.message());
            }
            return refused;
        }
        for (ListenerCheck c : checks) {
            final String listener = listenerId(parent.key(), c.listener().name());
            // Two parentRefs reaching one listener attach the route to it once.
            if (c.attached() && attachedTo.stream().noneMatch(a -> a.listenerId().equals(listener))) {
                attachedTo.add(new Attached(servingGateway.get(parent.key()), c.listener(), listener,
                        c.effectiveHostnames()));
            }
        }
        return ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED, "route is accepted");
    }

    /**
     * Why the route cannot attach to this parent at all, or null when it attaches to at least one
     * listener: the Gateway is not accepted (Pending), the ListenerSet is not (NoMatchingParent:
     * it has no listener a route can attach to), or no listener passes its check (the reason of the
     * furthest step reached), or the route itself is not accepted.
     */
    public static ConditionSpec refusal(RouteContext route, ParentReference ref, ListenerParent parent,
                                        List<ListenerCheck> checks) {
        if (!parent.accepted()) {
            return ConditionSpec.isFalse(Reasons.ACCEPTED, notAcceptedReason(parent), parent.key() + " is not accepted");
        }
        if (checks.stream().noneMatch(ListenerCheck::attached)) {
            final ListenerCheck.Step furthest = checks.stream().map(ListenerCheck::failedAt)
                    .max(Comparator.naturalOrder()).orElse(ListenerCheck.Step.NAMED);
            return ConditionSpec.isFalse(Reasons.ACCEPTED, furthest.reason(), switch (furthest) {
                case NAMED, LISTENER_ACCEPTED -> "no accepted listener of " + parent.key()
                        + (describe(ref).isEmpty() ? "" : " matches" + describe(ref));
                case KIND_ALLOWED -> "no listener of " + parent.key() + describe(ref) + " allows the kind "
                        + route.kind();
                case NAMESPACE_ALLOWED -> "no listener of " + parent.key() + describe(ref)
                        + " allows routes from namespace " + route.key().namespace();
                case HOSTNAME_INTERSECTS -> "no listener hostname of " + parent.key() + describe(ref)
                        + " intersects the route's hostnames " + route.hostnames();
                case HOSTNAME_FREE_OF_OTHER_KIND -> checks.stream()
                        .filter(c -> c.failedAt() == ListenerCheck.Step.HOSTNAME_FREE_OF_OTHER_KIND)
                        .map(c -> c.why().get(c.why().size() - 1)).findFirst().orElse("");
            });
        }
        return route.notAccepted();
    }

    /** The Accepted reason of a route whose parent is not accepted. */
    public static String notAcceptedReason(ListenerParent parent) {
        return parent instanceof BoundListenerSet ? Reasons.NO_MATCHING_PARENT : Reasons.PENDING;
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

    static String listenerId(ResourceKey parent, String listener) {
        return parent.kind() + "/" + parent.namespace() + "/" + parent.name() + "/" + listener;
    }

    /** The attachments, in route order (after an edit in place, made from the memo's outcomes when first asked for). */
    public List<Attachment> attachments() {
        if (attachments == null) {
            attachments = new ArrayList<>();
            for (int i = 0; i < memo.routeOutcomes.size(); i++) {
                for (Attached a : memo.routeOutcomes.valueAt(i).attached()) {
                    attachments.add(new Attachment(a.gateway(), a.backendClientCertificate(), a.listener(), i,
                            a.hostnames()));
                }
            }
        }
        return attachments;
    }

    /** The parents' status of each route with at least one parent of ours. */
    public Map<ResourceKey, List<RouteParentStatus>> statuses() {
        return statuses != null ? statuses : new io.archway.translate.IndexedOnRead<>(statusKeys, statusValues);
    }

    /** The routes attached to listener {@code listener} of {@code parent} (a Gateway or ListenerSet). */
    public int attachedRoutes(ResourceKey parent, String listener) {
        if (attachedRoutes == null) {
            attachedRoutes = new HashMap<>();
            attachedPerListener.forEach((l, n) -> attachedRoutes.merge(listenerIds.get(l), n[0], Integer::sum));
        }
        return Objects.requireNonNullElse(attachedRoutes.get(listenerId(parent, listener)), 0);
    }
}
