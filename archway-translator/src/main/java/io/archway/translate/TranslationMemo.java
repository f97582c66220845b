package io.archway.translate;

import io.archway.kinds.ResourceKind;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.BoundListenerSet;
import io.archway.translate.bind.RouteAttacher;
import io.archway.translate.compile.CompiledL4Route;
import io.archway.translate.compile.CompiledRoute;
import io.archway.translate.compile.RouteTableCompiler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one translation can reuse of the previous one, held by a caller that translates the same
 * store again and again (the rebuild loop), so that a change to one route costs about one route's
 * work at 10,000 routes. The translator stays a pure function: with a memo it returns exactly what
 * it returns without one (a test checks that on randomized edit sequences).
 *
 * <p>Per-route results are reused while everything else the translator reads is unchanged:
 * <ul>
 *   <li>every object of a kind that is not a route (GatewayClasses, Gateways, ListenerSets,
 *       ReferenceGrants, BackendTLSPolicies, Services, EndpointSlices, Secrets, ConfigMaps, Namespaces) is the same
 *       instance as last time (the store hands out the same instance until an object changes);</li>
 *   <li>phases 1 and 2 bind the Gateways the same way: their only input besides those objects is the
 *       time certificates must be valid at, so the conditions, served flags and certificates of
 *       every Gateway, ListenerSet and listener are compared, and when equal the previous
 *       {@link BoundGateway} instances stand in for the new ones (per-listener results are keyed by
 *       their identity).</li>
 * </ul>
 * Otherwise everything is forgotten and the translation runs in full, but for the compiled routes
 * and the virtual hosts built of them when only GatewayClasses, Gateways or ListenerSets changed (a
 * listener added or removed): a route's compilation reads none of them, and a virtual host is a
 * function of its hostname, routes and certificate. Then a route's compiled rules
 * are reused when it is the same instance ({@link Memoized}, with the diagnostics it reported), its
 * listener checks and outcome ({@link RouteAttacher.Memo}), and a virtual host whose routes are the
 * same compiled instances ({@link RouteTableCompiler.Memo}).
 *
 * <p>The common change, a few HTTPRoutes edited, added or removed (every other one the same
 * instance, in the same order), takes a shorter way still ({@code Translator.editInPlace}): the
 * route lists are compared by reference (a route's key read only where they differ), only the
 * edited and added routes are compiled and checked, and the previous translation's status lists,
 * counts and virtual hosts are kept with the changed routes' entries replaced, inserted or
 * removed, only the virtual hosts they served on or serve on built again. No pass reads every
 * route's objects, and the edit leaves the memo as a memoized translation of the same view would
 * (the per-route arrays spliced where they are, no roll).
 *
 * <p>A listener added to or removed from a Gateway, the rest bound as before ({@link #begin} keeps
 * the other listeners' instances), takes {@code Translator.editListeners}: the compiled routes, the
 * other listeners' virtual hosts and the outcome of every route the change cannot reach are kept;
 * the routes it reaches are attached against the changed listener alone where their status cannot
 * change, else checked again.
 *
 * <p>Not thread-safe: one translation at a time.
 */
public final class TranslationMemo {
    /** The kinds a route's compilation does not read: a change to them keeps the compiled routes. */
    private static final java.util.Set<ResourceKind> PARENT_KINDS = java.util.EnumSet.of(ResourceKind.GATEWAY_CLASS,
            ResourceKind.GATEWAY, ResourceKind.LISTENER_SET);
    final Memoized<HasMetadata, CompiledRoute> compiled = new Memoized<>();
    final Memoized<HasMetadata, CompiledL4Route> compiledL4 = new Memoized<>();
    final RouteAttacher.Memo attachment = new RouteAttacher.Memo();
    final RouteTableCompiler.Memo table = new RouteTableCompiler.Memo();
    private TranslatorOptions options;
    private Map<ResourceKind, List<HasMetadata>> inputs = Map.of();
    private Map<ResourceKey, BoundGateway> bound;
    private long reused;
    private long inPlace;
    private long translations;
    /** Whether this translation reuses the previous one's per-route results ({@link #begin}). */
    private boolean reusing;
    private boolean httpRoutesOnly;
    /**
     * What {@link #begin} found when only Gateways' listeners were added or removed, until the
     * translation ends; else null (a translation that reuses the binding must not see the previous
     * change's, nor the memo keep the listeners it removed).
     */
    private List<RouteAttacher.ListenerEdit> listenerEdits;

    /**
     * Called once phases 1 and 2 ran: forgets everything when the inputs besides routes or the
     * binding changed; returns the bound Gateways to use from here on (the previous instances when
     * equivalent).
     */
    Map<ResourceKey, BoundGateway> begin(TranslatorOptions options, ResourceView view,
                                         Map<ResourceKey, BoundGateway> fresh) {
        translations++;
        listenerEdits = null;
        final Map<ResourceKind, List<HasMetadata>> next = new EnumMap<>(ResourceKind.class);
        for (ResourceKind kind : ResourceKind.values()) {
            if (!kind.isRoute()) {
                next.put(kind, view.list(kind));
            }
        }
        final boolean sameForRoutes = options.equals(this.options) && sameInstances(inputs, next, false);
        final boolean same = sameForRoutes && sameInstances(inputs, next, true) && bound != null
                && sameBinding(bound, fresh);
        // A route's checks read the keys of every Gateway and ListenerSet, ours or not ("does not exist").
        final boolean sameParents = sameForRoutes && sameKeys(inputs, next, ResourceKind.GATEWAY)
                && sameKeys(inputs, next, ResourceKind.LISTENER_SET);
        this.options = options;
        inputs = next;
        reusing = same;
        if (same) {
            reused++;
            return bound;
        }
        if (!sameForRoutes) {
            compiled.clear();
            compiledL4.clear();
            table.clear();
        } else if (bound != null && httpRoutesOnly && sameParents) {
            final Map<ResourceKey, BoundGateway> rebound = new java.util.TreeMap<>();
            listenerEdits = rebind(bound, fresh, rebound);
            if (listenerEdits != null) { // the attachment is kept for Translator.editListeners
                bound = rebound;
                return rebound;
            }
        }
        attachment.clear();
        bound = fresh;
        return fresh;
    }

    /**
     * The listeners added and removed, when the Gateways are bound as before but for listeners
     * added or removed ({@code into}: the fresh binding with each unchanged listener the previous
     * instance); null otherwise (a listener changed in place, a Gateway with ListenerSets, one
     * accepted or not, on another address or presenting another backend client certificate).
     */
    private static List<RouteAttacher.ListenerEdit> rebind(Map<ResourceKey, BoundGateway> previous,
                                                           Map<ResourceKey, BoundGateway> fresh,
                                                           Map<ResourceKey, BoundGateway> into) {
        if (!previous.keySet().equals(fresh.keySet())) {
            return null;
        }
        final List<RouteAttacher.ListenerEdit> edits = new java.util.ArrayList<>();
        for (Map.Entry<ResourceKey, BoundGateway> e : fresh.entrySet()) {
            final BoundGateway x = previous.get(e.getKey());
            final BoundGateway y = e.getValue();
            if (x.accepted() != y.accepted() || !Objects.equals(x.address(), y.address())
                    || !Objects.equals(x.backendClientCertificate(), y.backendClientCertificate())
                    || !x.listenerSets().isEmpty() || !y.listenerSets().isEmpty()) {
                return null;
            }
            final List<BoundListener> listeners = new java.util.ArrayList<>(y.listeners().size());
            final List<BoundListener> added = new java.util.ArrayList<>();
            final List<BoundListener> removed = new java.util.ArrayList<>(x.listeners());
            for (BoundListener l : y.listeners()) {
                final BoundListener kept = removed.stream().filter(k -> sameListener(k, l)).findFirst().orElse(null);
                listeners.add(kept != null ? kept : l);
                if (kept != null) {
                    removed.remove(kept);
                } else {
                    added.add(l);
                }
            }
            if (added.stream().anyMatch(a -> removed.stream().anyMatch(r -> r.origin().equals(a.origin())))) {
                return null; // changed in place: its virtual hosts are keyed by origin
            }
            final BoundGateway rebound = new BoundGateway(y.key(), y.gateway(), y.generation(), y.accepted(),
                    y.address(), y.statusAddresses(), listeners, y.conditions(), y.listenerSets(),
                    y.reportsListenerSets(), y.backendClientCertificate());
            into.put(e.getKey(), rebound);
            if (!added.isEmpty() || !removed.isEmpty()) {
                edits.add(new RouteAttacher.ListenerEdit(rebound, List.copyOf(added), List.copyOf(removed)));
            }
        }
        return edits;
    }

    /** Whether {@code a} and {@code b} hold objects of {@code kind} with the same keys, in the same order. */
    private static boolean sameKeys(Map<ResourceKind, List<HasMetadata>> a, Map<ResourceKind, List<HasMetadata>> b,
                                    ResourceKind kind) {
        final List<HasMetadata> x = a.getOrDefault(kind, List.of());
        final List<HasMetadata> y = b.getOrDefault(kind, List.of());
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!Objects.equals(x.get(i).getMetadata().getNamespace(), y.get(i).getMetadata().getNamespace())
                    || !Objects.equals(x.get(i).getMetadata().getName(), y.get(i).getMetadata().getName())) {
                return false;
            }
        }
        return true;
    }

    /** Whether two bindings of a listener (of one view's Namespaces) agree in every field. */
    private static boolean sameListener(BoundListener x, BoundListener y) {
        return x.origin().equals(y.origin()) && x.port() == y.port() && x.protocol() == y.protocol()
                && x.tlsMode() == y.tlsMode() && Objects.equals(x.hostname(), y.hostname())
                && x.accepted() == y.accepted() && x.programmed() == y.programmed() && x.served() == y.served()
                && x.allowedNamespaces().sameAs(y.allowedNamespaces()) && x.supportedKinds().equals(y.supportedKinds())
                && x.certificates().equals(y.certificates()) && Objects.equals(x.clientValidation(), y.clientValidation())
                && x.conditions().equals(y.conditions());
    }

    /** The listener changes {@link #begin} found (the attachment kept for them), or null. */
    List<RouteAttacher.ListenerEdit> listenerEdits() {
        return listenerEdits;
    }

    /** The listener changes could not be edited in place: the attachment is forgotten. */
    void forgetAttachment() {
        attachment.clear();
        listenerEdits = null;
    }

    /**
     * Called once the translation is done: what it used is what the next may reuse.
     *
     * @param httpRoutesOnly whether its routes were HTTPRoutes alone (what an edit in place starts from)
     */
    void end(boolean httpRoutesOnly) {
        this.httpRoutesOnly = httpRoutesOnly;
        listenerEdits = null;
        compiled.roll();
        compiledL4.roll();
        attachment.roll();
        table.roll();
    }

    boolean reusing() {
        return reusing;
    }

    /** Whether the previous translation's routes were HTTPRoutes alone (an edit in place keeps that). */
    boolean httpRoutesOnly() {
        return httpRoutesOnly;
    }

    /**
     * Counts a translation that edited the previous one in place (and took no {@link #end}); the
     * listener changes it applied are let go (they name the removed listeners and the previous
     * binding).
     */
    void editedInPlace() {
        inPlace++;
        listenerEdits = null;
    }

    /** Translations that could reuse the previous one's per-route results, of all translations. */
    public String stats() {
        return reused + " of " + translations + " translations reused per-route results, " + inPlace
                + " edited in place";
    }

    /**
     * Whether {@code a} and {@code b} hold the same objects: of the kinds a route's compilation
     * reads (every kind but GatewayClasses, Gateways and ListenerSets: a route compiles once whatever
     * it attaches to), the same instances or equal copies; with {@code parents}, of those three
     * kinds, the same instances.
     */
    private static boolean sameInstances(Map<ResourceKind, List<HasMetadata>> a, Map<ResourceKind, List<HasMetadata>> b,
                                         boolean parents) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<ResourceKind, List<HasMetadata>> e : a.entrySet()) {
            if (PARENT_KINDS.contains(e.getKey()) != parents) {
                continue;
            }
            final List<HasMetadata> x = e.getValue();
            final List<HasMetadata> y = b.get(e.getKey());
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                // Of the kinds a route's compilation reads, an equal copy serves as well (an object
                // the file source read again because it moved in its file: a Service below a
                // Gateway that gained a listener); those steps report on the route alone, so no
                // location they kept is the moved object's.
                if (x.get(i) != y.get(i) && (parents || !x.get(i).equals(y.get(i)))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether two bindings of the same objects agree on what depends on the clock (certificate
     * validity): everything else in them is a function of those objects.
     */
    private static boolean sameBinding(Map<ResourceKey, BoundGateway> a, Map<ResourceKey, BoundGateway> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<ResourceKey, BoundGateway> e : a.entrySet()) {
            final BoundGateway x = e.getValue();
            final BoundGateway y = b.get(e.getKey());
            if (x.accepted() != y.accepted() || !x.conditions().equals(y.conditions())
                    || !Objects.equals(x.address(), y.address()) || !x.statusAddresses().equals(y.statusAddresses())
                    || !sameListeners(x.listeners(), y.listeners())
                    || x.listenerSets().size() != y.listenerSets().size()) {
                return false;
            }
            for (int i = 0; i < x.listenerSets().size(); i++) {
                final BoundListenerSet s = x.listenerSets().get(i);
                final BoundListenerSet t = y.listenerSets().get(i);
                if (!s.key().equals(t.key()) || s.accepted() != t.accepted() || !s.conditions().equals(t.conditions())
                        || !sameListeners(s.listeners(), t.listeners())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameListeners(List<BoundListener> a, List<BoundListener> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            final BoundListener x = a.get(i);
            final BoundListener y = b.get(i);
            if (!x.origin().equals(y.origin()) || x.accepted() != y.accepted() || x.programmed() != y.programmed()
                    || x.served() != y.served() || !x.conditions().equals(y.conditions())
                    || !x.certificates().equals(y.certificates())) {
                return false;
            }
        }
        return true;
    }
}
