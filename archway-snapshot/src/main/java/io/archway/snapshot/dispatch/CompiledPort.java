package io.archway.snapshot.dispatch;

import io.archway.snapshot.Hostnames;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The request dispatch of one HTTP socket, compiled once from a {@link PortBinding} whose kind is
 * {@link HttpPort}: the single
 * implementation the data plane serves with and {@code archway explain} reports with.
 *
 * <p>Dispatch: the listener whose hostname matches the request host most specifically (ties: the
 * first in snapshot order), then that listener's most specific matching virtual host (no
 * fall-through to a less specific one), then the first entry whose conditions hold (entries are
 * already in precedence order). {@link #route} allocates nothing itself; {@link #trace} records
 * every candidate and why it lost.
 *
 * @param <R> what each entry compiles to: the data plane keeps its own per-entry state
 *     (filters, backend picker) next to the match
 */
public final class CompiledPort<R> {
    private final PortBinding binding;
    private final boolean https;
    private final Listener[] listeners;
    private final HostIndex listenerHosts;

    /**
     * @param binding an HTTP socket
     * @param entryFactory makes the value {@link #route} returns for an entry, from the entry and
     *     its compiled match (called once per entry, at compile time)
     * @throws IllegalArgumentException when the socket does not serve HTTP
     */
    public CompiledPort(PortBinding binding, BiFunction<HttpRouteEntry, CompiledMatch, R> entryFactory) {
        this(binding, entryFactory, null);
    }

    /**
     * As {@link #CompiledPort(PortBinding, BiFunction)}, reusing what {@code previous} compiled for
     * every virtual host that is the same {@link VirtualHost} instance (the translator hands out the
     * same instance for a host whose routes did not change), so a swap after a one-route change
     * compiles one host, not all of them. Compiled hosts are immutable, so two snapshots may share
     * them; each request still reads one snapshot's dispatch from start to end.
     *
     * @param previous the dispatch this one replaces on the same socket, or null
     */
    public CompiledPort(PortBinding binding, BiFunction<HttpRouteEntry, CompiledMatch, R> entryFactory,
                        CompiledPort<R> previous) {
        if (!(binding.kind() instanceof HttpPort http)) {
            throw new IllegalArgumentException(binding.key() + " is not an HTTP socket: " + binding.kind());
        }
        this.binding = binding;
        this.https = http.protocol() == ListenerProtocol.HTTPS;
        final String scheme = https ? "https" : "http";
        final List<ListenerEntry> entries = http.listeners();
        final Listener[] before = previous != null && previous.https == https
                && previous.binding.port() == binding.port() ? previous.listeners : new Listener[0];
        final PreviousHosts compiled = new PreviousHosts(before);
        this.listeners = new Listener[entries.size()];
        for (int i = 0; i < listeners.length; i++) {
            listeners[i] = new Listener(entries.get(i), entryFactory, scheme, binding.port(),
                    sameListener(before, i, entries.get(i)), compiled);
        }
        this.listenerHosts = HostIndex.of(listeners);
    }

    /**
     * Every virtual host the replaced dispatch compiled, by instance: indexed on the first look-up
     * only, since a swap whose hostnames kept their places never asks.
     */
    private static final class PreviousHosts {
        private final Listener[] before;
        private Map<VirtualHost, VHost> byInstance;

        PreviousHosts(Listener[] before) {
            this.before = before;
        }

        VHost get(VirtualHost vhost) {
            if (byInstance == null) {
                int n = 0;
                for (Listener l : before) {
                    n += l.virtualHosts.length;
                }
                byInstance = new IdentityHashMap<>(n);
                for (Listener l : before) {
                    for (VHost v : l.virtualHosts) {
                        byInstance.put(v.vhost, v);
                    }
                }
            }
            return byInstance.get(vhost);
        }
    }

    /** The listener of {@code before} with {@code entry}'s origin and hostname (at {@code at} mostly), or null. */
    private static Listener sameListener(Listener[] before, int at, ListenerEntry entry) {
        if (at < before.length && same(before[at].entry, entry)) {
            return before[at];
        }
        for (Listener l : before) {
            if (same(l.entry, entry)) {
                return l;
            }
        }
        return null;
    }

    private static boolean same(ListenerEntry a, ListenerEntry b) {
        return a.origin().equals(b.origin()) && Objects.equals(a.hostname(), b.hostname());
    }

    /** A dispatcher that returns the snapshot entries themselves. */
    public static CompiledPort<HttpRouteEntry> of(PortBinding binding) {
        return new CompiledPort<>(binding, (entry, match) -> entry);
    }

    public PortBinding binding() {
        return binding;
    }

    /** Whether the socket terminates TLS (HTTPS listeners). */
    public boolean https() {
        return https;
    }

    /** The value of the first matching entry, or null (404). */
    public R route(RequestFacts request) {
        final EntryDecisions<R> entry = entry(request);
        return entry == null ? null : entry.route;
    }

    /**
     * What the gateway does with {@code request}: the one decision the data plane serves and
     * explain reports. Pure: the same request, SNI and pick give the same decision; allocates
     * nothing but what {@link RequestFacts} lookups need.
     *
     * @param sniHost the server name the TLS connection was opened with, or null (cleartext, or a
     *     client that sent none: then nothing is compared)
     * @param chooser picks a backend by weight when the answer depends on it
     */
    public RouteDecision<R> decide(RequestFacts request, String sniHost, BackendChooser chooser) {
        if (misdirected(sniHost, request.host())) {
            return RouteDecision.misdirected();
        }
        final EntryDecisions<R> entry = entry(request);
        return entry == null ? RouteDecision.notFound() : entry.decide(request, chooser);
    }

    /**
     * Every decision {@code request} can get with its share: {@link #decide} once, or once per
     * backend of weight above 0 when the answer depends on the pick (for explain; allocates).
     */
    public List<DecisionAlternative<R>> alternatives(RequestFacts request, String sniHost) {
        if (misdirected(sniHost, request.host())) {
            return List.of(new DecisionAlternative<>(RouteDecision.misdirected(), 1, 1));
        }
        final EntryDecisions<R> entry = entry(request);
        if (entry == null) {
            return List.of(new DecisionAlternative<>(RouteDecision.notFound(), 1, 1));
        }
        if (entry.preflight(request) != null || !entry.weighted()) {
            return List.of(new DecisionAlternative<>(entry.decide(request, null), 1, 1));
        }
        final BackendWeights w = entry.weights;
        final List<DecisionAlternative<R>> out = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            if (w.weight(i) > 0) {
                out.add(new DecisionAlternative<>(entry.decide(request, BackendChooser.only(i)), w.weight(i),
                        w.total()));
            }
        }
        return out;
    }

    /**
     * Whether an HTTPS request is misdirected: the listener its Host selects is not the one the
     * connection's SNI name selected (GatewayHTTPSListenerDetectMisdirectedRequests). Connection
     * reuse across hostnames (HTTP/2 coalescing) must not carry a request into another
     * listener's routes.
     */
    private boolean misdirected(String sniHost, String host) {
        return https && sniHost != null
                && listenerIndex(Hostnames.normalizeHost(sniHost)) != listenerIndex(host);
    }

    private EntryDecisions<R> entry(RequestFacts request) {
        final String host = request.host();
        final int l = listenerHosts.mostSpecific(host);
        if (l < 0) {
            return null;
        }
        final VHost[] vhosts = listeners[l].virtualHosts;
        final int v = listeners[l].virtualHostIndex.mostSpecific(host);
        if (v < 0) {
            return null;
        }
        final VHost vhost = vhosts[v];
        for (int i = 0; i < vhost.matches.length; i++) {
            if (vhost.matches[i].matches(request)) {
                return entryAt(vhost, i);
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private EntryDecisions<R> entryAt(VHost vhost, int i) {
        return (EntryDecisions<R>) vhost.decisions[i];
    }

    /** Index of the listener a normalized host selects, or -1. */
    public int listenerIndex(String normalizedHost) {
        return listenerHosts.mostSpecific(normalizedHost);
    }

    /** Dispatch with a record of every candidate examined; allocates, for explain only. */
    public DispatchTrace trace(RequestFacts request) {
        final String host = request.host();
        final int l = listenerHosts.mostSpecific(host);
        final List<DispatchTrace.HostCandidate<ListenerEntry>> listenerCandidates =
                candidates(listeners, l, host, "listener");
        if (l < 0) {
            return new DispatchTrace(binding, host, listenerCandidates, null, List.of(), null, List.of(), null,
                    "no listener hostname on port " + binding.port() + " matches host " + host);
        }
        final Listener listener = listeners[l];
        final int v = listener.virtualHostIndex.mostSpecific(host);
        final List<DispatchTrace.HostCandidate<VirtualHost>> vhostCandidates =
                candidates(listener.virtualHosts, v, host, "virtual host");
        if (v < 0) {
            return new DispatchTrace(binding, host, listenerCandidates, listener.entry, vhostCandidates, null,
                    List.of(), null, listener.virtualHosts.length == 0
                            ? "listener " + listener.entry.origin() + " has no attached routes"
                            : "no route hostname on listener " + listener.entry.origin() + " matches host " + host);
        }
        final VHost vhost = listener.virtualHosts[v];
        final List<DispatchTrace.EntryCandidate> entries = new ArrayList<>();
        int winner = -1;
        for (int i = 0; i < vhost.matches.length; i++) {
            final int failure = vhost.matches[i].firstFailure(request);
            final HttpRouteEntry entry = vhost.vhost.routes().get(i);
            if (failure != CompiledMatch.MATCH) {
                entries.add(new DispatchTrace.EntryCandidate(i, entry, DispatchTrace.Outcome.NO_MATCH, failure,
                        vhost.matches[i].describeFailure(failure, request)));
            } else if (winner < 0) {
                winner = i;
                entries.add(new DispatchTrace.EntryCandidate(i, entry, DispatchTrace.Outcome.WON, failure,
                        "first matching entry in precedence order"));
            } else {
                entries.add(new DispatchTrace.EntryCandidate(i, entry, DispatchTrace.Outcome.LOWER_PRECEDENCE,
                        failure, "matches too, but " + vhost.vhost.routes().get(winner).origin()
                                + " comes first in precedence order"));
            }
        }
        return new DispatchTrace(binding, host, listenerCandidates, listener.entry, vhostCandidates, vhost.vhost,
                entries, winner < 0 ? null : vhost.vhost.routes().get(winner), winner < 0
                        ? "no route entry of virtual host " + vhost.vhost.hostname() + " on listener "
                                + listener.entry.origin() + " matches (no fall-through to less specific hostnames)"
                        : null);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<DispatchTrace.HostCandidate<T>> candidates(HostPattern[] all, int selected, String host,
                                                                       String what) {
        final List<DispatchTrace.HostCandidate<T>> out = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            final HostPattern c = all[i];
            final boolean matches = Hostnames.matches(c.pattern, host);
            final String reason;
            if (i == selected) {
                reason = "most specific " + what + " hostname matching " + host;
            } else if (!matches) {
                reason = "hostname " + display(c.pattern) + " does not match " + host;
            } else {
                final HostPattern s = all[selected];
                reason = s.specificity > c.specificity ? "less specific than " + display(s.pattern)
                        : "as specific as " + display(s.pattern) + ", which comes first";
            }
            out.add(new DispatchTrace.HostCandidate<>((T) c.value(), c.pattern, c.specificity, matches,
                    i == selected, reason));
        }
        return out;
    }

    private static String display(String pattern) {
        return pattern == null ? "(any)" : pattern;
    }

    /** The index of the candidate whose pattern matches {@code host} most specifically; first wins ties; -1 for none. */
    private static final class Listener extends HostPattern {
        final ListenerEntry entry;
        final VHost[] virtualHosts;
        /**
         * Each compiled host's {@link VirtualHost}, index for index: the next dispatch compares its
         * hosts with these by reference, reading one array, not each compiled host (at 1,000 hosts
         * those reads were cache misses, a swap's largest cost after a one-route change).
         */
        final VirtualHost[] sources;
        final HostIndex virtualHostIndex;

        /**
         * @param previous the same listener in the dispatch this one replaces, or null: its virtual
         *     hosts are compared by position first (a translation that rebuilt a few hosts keeps
         *     the others, and every host's place, so a swap after a one-route change at 1,000 hosts
         *     neither hashes every host nor indexes the hostnames again)
         * @param compiled every virtual host the replaced dispatch compiled, by instance: asked for
         *     only when the hostnames moved
         */
        Listener(ListenerEntry entry, BiFunction<HttpRouteEntry, CompiledMatch, ?> factory, String scheme,
                 int port, Listener previous, PreviousHosts compiled) {
            super(entry.hostname());
            this.entry = entry;
            final List<VirtualHost> vhosts = entry.virtualHosts();
            if (previous != null && previous.entry.virtualHosts() == vhosts) {
                this.virtualHosts = previous.virtualHosts;
                this.sources = previous.sources;
                this.virtualHostIndex = previous.virtualHostIndex;
                return;
            }
            this.sources = vhosts.toArray(new VirtualHost[0]);
            this.virtualHosts = new VHost[sources.length];
            // The hostnames, in order, as the previous listener's: its index serves as it is.
            boolean sameHostnames = previous != null && previous.sources.length == sources.length;
            for (int i = 0; i < sources.length; i++) {
                final VirtualHost vhost = sources[i];
                if (sameHostnames && previous.sources[i] == vhost) {
                    virtualHosts[i] = previous.virtualHosts[i];
                    continue;
                }
                sameHostnames = sameHostnames
                        && Objects.equals(previous.sources[i].hostname(), vhost.hostname());
                final VHost reused = sameHostnames ? null // rebuilt in its place by the translation: new
                        : compiled.get(vhost);
                virtualHosts[i] = reused != null ? reused : new VHost(vhost, factory, scheme, port);
            }
            this.virtualHostIndex = sameHostnames ? previous.virtualHostIndex : HostIndex.of(virtualHosts);
        }

        @Override
        Object value() {
            return entry;
        }
    }

    private static final class VHost extends HostPattern {
        final VirtualHost vhost;
        final CompiledMatch[] matches;
        final EntryDecisions<?>[] decisions;

        VHost(VirtualHost vhost, BiFunction<HttpRouteEntry, CompiledMatch, ?> factory, String scheme, int port) {
            super(vhost.hostname());
            this.vhost = vhost;
            final List<HttpRouteEntry> routes = vhost.routes();
            this.matches = new CompiledMatch[routes.size()];
            this.decisions = new EntryDecisions<?>[routes.size()];
            for (int i = 0; i < matches.length; i++) {
                final HttpRouteEntry entry = routes.get(i);
                matches[i] = new CompiledMatch(entry.match());
                decisions[i] = new EntryDecisions<>(entry, factory.apply(entry, matches[i]), matches[i], scheme, port);
            }
        }

        @Override
        Object value() {
            return vhost;
        }
    }
}
