package io.archway.translate.compile;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.WeightedBackend;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.PortKind;
import io.archway.snapshot.TcpPort;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.TlsPort.SniRoute;
import io.archway.snapshot.TlsPort.TlsListener;
import io.archway.snapshot.UdpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.VirtualHost;
import io.archway.translate.bind.Attachment;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.status.Diagnostics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Phase 6: builds the routing table, one {@link PortBinding} per socket (address, port,
 * transport), of the listeners {@link BoundListener#served()}. Every HTTP or HTTPS listener of an
 * accepted Gateway (its own, and those of its accepted ListenerSets, on the Gateway's address)
 * becomes a
 * {@link ListenerEntry} on its socket's {@link HttpPort}, most specific hostname first; its
 * attached routes are grouped into virtual hosts by effective hostname (most specific first) and
 * sorted by {@link HttpRulePrecedence}. Every TLS listener becomes a
 * {@link TlsListener} (Passthrough, or Terminate with its certificates) on its socket's
 * {@link TlsPort}, most specific hostname first; its attached TLSRoutes are grouped by effective hostname (most specific first), and where
 * several claim one hostname the first by {@link CompiledL4Route#PRECEDENCE} (the oldest) serves
 * it. A TCP or UDP listener gets its socket to itself ({@link TcpPort}, {@link UdpPort}), serving
 * the first of its attached routes by {@link CompiledL4Route#PRECEDENCE}.
 */
public final class RouteTableCompiler {
    private static final Comparator<ListenerEntry> LISTENER_ORDER = Comparator
            .comparing((ListenerEntry l) -> Hostnames.specificity(l.hostname()), Comparator.reverseOrder())
            .thenComparing(l -> l.origin().toString());
    private static final Comparator<TlsListener> TLS_LISTENER_ORDER = Comparator
            .comparing((TlsListener l) -> Hostnames.specificity(l.hostname()), Comparator.reverseOrder())
            .thenComparing(l -> l.origin().toString());
    private static final Comparator<SniRoute> SNI_ROUTE_ORDER = Comparator
            .comparing((SniRoute r) -> Hostnames.specificity(r.hostname()), Comparator.reverseOrder())
            .thenComparing(SniRoute::hostname);
    private static final Comparator<VirtualHost> VIRTUAL_HOST_ORDER = Comparator
            .comparing((VirtualHost v) -> Hostnames.specificity(v.hostname()), Comparator.reverseOrder())
            .thenComparing(VirtualHost::hostname);

    private final Diagnostics diagnostics;
    private final Memo memo;

    /**
     * The virtual hosts of the previous translation: a virtual host whose routes are the same
     * {@link CompiledRoute} instances in the same order (and whose Gateway presents the same backend
     * client certificate) is the same {@link VirtualHost} instance, so the data plane can keep what
     * it compiled for it. Looked up by listener origin and hostname, then the routes compared by
     * reference: no route's object is read (at 10,000 routes hashing each route's identity cost a
     * cache miss per route on every change).
     */
    public static final class Memo {
        private Map<HostOfListener, Built> previous = new HashMap<>();
        private Map<HostOfListener, Built> current = new HashMap<>();
        /** Each HTTP listener's virtual hosts, in order (what an edit in place starts from). */
        private Map<BoundListener, List<VirtualHost>> previousHosts = new java.util.IdentityHashMap<>();
        private Map<BoundListener, List<VirtualHost>> currentHosts = new java.util.IdentityHashMap<>();

        public void roll() {
            previous = current;
            current = new HashMap<>(previous.size() * 4 / 3 + 1);
            previousHosts = currentHosts;
            currentHosts = new java.util.IdentityHashMap<>();
        }

        public void clear() {
            previous = new HashMap<>();
            current = new HashMap<>();
            previousHosts = new java.util.IdentityHashMap<>();
            currentHosts = new java.util.IdentityHashMap<>();
        }

        VirtualHost get(BoundListener listener, String hostname, List<CompiledRoute> routes,
                        CertificateBundle backendClientCertificate, java.util.function.Supplier<VirtualHost> build) {
            final HostOfListener key = new HostOfListener(listener.origin(), hostname);
            Built built = previous.get(key);
            if (built == null || !built.builtFrom(routes, backendClientCertificate)) {
                built = new Built(routes, backendClientCertificate, build.get());
            }
            current.put(key, built);
            return built.virtualHost;
        }

        /**
         * Builds again the virtual hosts the {@code edits}' routes served on and serve on, and puts
         * them in place of the previous ones (a virtual host left without routes is dropped, one new
         * is put in its listener's order): the memo then holds the edited translation's virtual
         * hosts, as if it had been rolled after it. In a virtual host the routes are in route (key)
         * order, as attached: an edited or removed route is found by its previous compiled instance,
         * an added one placed by its key. Lists handed to a snapshot are never changed: a
         * listener's host list is copied once per edit.
         */
        void edit(List<RouteEdit> edits) {
            // Each virtual host touched, with the edits that touch it: a route recompiled touches
            // every one it served on or serves on, one whose compiled form is kept (a listener added
            // or removed) those it joins or leaves.
            final Map<HostOfListener, Touched> touched = new LinkedHashMap<>();
            for (RouteEdit e : edits) {
                touch(touched, e, e.attachedBefore(), e.before() == e.after() ? e.attachedAfter() : List.of());
                touch(touched, e, e.attachedAfter(), e.before() == e.after() ? e.attachedBefore() : List.of());
            }
            final Map<BoundListener, HostsEdit> copied = new java.util.IdentityHashMap<>();
            touched.forEach((key, t) -> {
                final BoundListener listener = t.attachment.listener();
                if (!previousHosts.containsKey(listener)) {
                    return; // the listener is not served: none of its virtual hosts is built
                }
                final Built was = previous.get(key);
                final List<CompiledRoute> routes = was == null ? new ArrayList<>() : new ArrayList<>(was.routes);
                for (RouteEdit e : t.edits) {
                    if (e.before() != null) {
                        routes.removeIf(r -> r == e.before());
                    }
                }
                for (RouteEdit e : t.edits) {
                    final int times = occurrences(e.attachedAfter(), listener, key.hostname());
                    if (times > 0) {
                        int at = routes.size(); // edits come in route order: mostly placed last
                        while (at > 0 && routes.get(at - 1).context().key().compareTo(e.key()) > 0) {
                            at--;
                        }
                        routes.addAll(at, java.util.Collections.nCopies(times, e.after()));
                    }
                }
                final HostsEdit hosts = copied.computeIfAbsent(listener, l -> new HostsEdit(previousHosts.get(l)));
                if (routes.isEmpty()) {
                    previous.remove(key);
                    if (was != null) {
                        hosts.removed.add(was.virtualHost);
                    }
                    return;
                }
                final CertificateBundle certificate = t.attachment.backendClientCertificate();
                final Built built = new Built(routes, certificate, virtualHost(key.hostname(), routes, certificate));
                previous.put(key, built);
                if (was != null) { // the same hostname: the same place in the listener's order
                    hosts.hosts.set(indexOfInstance(hosts.hosts, was.virtualHost), built.virtualHost);
                } else {
                    hosts.added.add(built.virtualHost);
                }
            });
            copied.forEach((listener, edit) -> previousHosts.put(listener, edit.result()));
        }

        /**
         * A listener's virtual hosts being edited: a copy of its list with hosts replaced in place,
         * and those dropped and added, applied once at the end (a listener added gains a thousand:
         * put in order one at a time, that was a million comparisons).
         */
        private static final class HostsEdit {
            final List<VirtualHost> hosts;
            final java.util.Set<VirtualHost> removed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            final List<VirtualHost> added = new ArrayList<>();

            HostsEdit(List<VirtualHost> hosts) {
                this.hosts = new ArrayList<>(hosts);
            }

            List<VirtualHost> result() {
                if (!removed.isEmpty()) {
                    hosts.removeIf(removed::contains);
                }
                if (added.size() > 4) {
                    hosts.addAll(added);
                    hosts.sort(VIRTUAL_HOST_ORDER);
                } else {
                    added.forEach(h -> hosts.add(insertionPoint(hosts, h), h));
                }
                return hosts;
            }
        }

        /**
         * Listeners added to and removed from the Gateways (the others bound as before): an added
         * one starts without virtual hosts (its routes' edits build them), a removed one's are
         * forgotten once its routes' edits dropped them.
         */
        void listenersAdded(List<BoundListener> added) {
            added.forEach(l -> previousHosts.put(l, List.of()));
        }

        void listenersRemoved(List<BoundListener> removed) {
            removed.forEach(previousHosts::remove);
        }

        private static void touch(Map<HostOfListener, Touched> touched, RouteEdit edit, List<Attachment> attached,
                                  List<Attachment> unless) {
            for (Attachment a : attached) {
                for (String hostname : a.hostnames()) {
                    if (!attaches(unless, a.listener(), hostname)) {
                        final Touched t = touched.computeIfAbsent(new HostOfListener(a.listener().origin(), hostname),
                                k -> new Touched(a));
                        if (t.edits.isEmpty() || t.edits.get(t.edits.size() - 1) != edit) {
                            t.edits.add(edit);
                        }
                    }
                }
            }
        }

        private static boolean attaches(List<Attachment> attached, BoundListener listener, String hostname) {
            return occurrences(attached, listener, hostname) > 0;
        }

        private static int insertionPoint(List<VirtualHost> hosts, VirtualHost host) {
            int at = 0;
            while (at < hosts.size() && VIRTUAL_HOST_ORDER.compare(hosts.get(at), host) < 0) {
                at++;
            }
            return at;
        }

        /** How many times {@code attached} puts its route on {@code hostname} of {@code listener}. */
        private static int occurrences(List<Attachment> attached, BoundListener listener, String hostname) {
            int n = 0;
            for (Attachment a : attached) {
                if (a.listener() == listener) {
                    for (String h : a.hostnames()) {
                        n += h.equals(hostname) ? 1 : 0;
                    }
                }
            }
            return n;
        }

        /** The virtual hosts of {@code listener}, served by the previous (or edited) translation. */
        List<VirtualHost> hostsOf(BoundListener listener) {
            final List<VirtualHost> hosts = previousHosts.get(listener);
            if (hosts == null) {
                throw new IllegalStateException("no virtual hosts kept for listener " + listener.origin());
            }
            return hosts;
        }

        private static int indexOfInstance(List<VirtualHost> hosts, VirtualHost host) {
            for (int i = 0; i < hosts.size(); i++) {
                if (hosts.get(i) == host) {
                    return i;
                }
            }
            throw new IllegalStateException("virtual host " + host.hostname() + " is not in its listener's list");
        }
    }

    /** A virtual host an edit in place touches: one attachment to it (its listener), and the edits. */
    private static final class Touched {
        final Attachment attachment;
        final List<RouteEdit> edits = new ArrayList<>(2);

        Touched(Attachment attachment) {
            this.attachment = attachment;
        }
    }

    /**
     * A hostname of one listener, the listener by its origin (Gateway or ListenerSet, and name): a
     * virtual host is a function of its hostname, routes and certificate alone, so one built for a
     * listener serves it again after its Gateway was bound anew (a listener added beside it).
     */
    private record HostOfListener(ListenerOrigin listener, String hostname) {
    }

    /**
     * A virtual host and what it was built from: its routes (compared by identity) and the Gateway's
     * backend client certificate (by value: a Secret can change under the same listener).
     */
    private static final class Built {
        final List<CompiledRoute> routes;
        final CertificateBundle backendClientCertificate;
        final VirtualHost virtualHost;

        Built(List<CompiledRoute> routes, CertificateBundle backendClientCertificate, VirtualHost virtualHost) {
            this.routes = routes;
            this.backendClientCertificate = backendClientCertificate;
            this.virtualHost = virtualHost;
        }

        boolean builtFrom(List<CompiledRoute> served, CertificateBundle certificate) {
            if (served.size() != routes.size() || !java.util.Objects.equals(certificate, backendClientCertificate)) {
                return false;
            }
            for (int i = 0; i < served.size(); i++) {
                if (served.get(i) != routes.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    public RouteTableCompiler(Diagnostics diagnostics) {
        this(diagnostics, null);
    }

    /** @param memo the previous translation's virtual hosts for these same listeners, or null */
    public RouteTableCompiler(Diagnostics diagnostics, Memo memo) {
        this.diagnostics = diagnostics;
        this.memo = memo;
    }

    /**
     * @param gateways ours, in key order
     * @param routes the compiled HTTPRoutes: {@link Attachment#routeIndex()} {@code i} below their
     *     count names {@code routes.get(i)}
     * @param l4Routes the compiled TLSRoutes, TCPRoutes and UDPRoutes, which the attacher saw after the
     *     HTTPRoutes: index {@code i} at or above the HTTPRoutes' count names
     *     {@code l4Routes.get(i - routes.size())}
     */
    public List<PortBinding> compile(List<BoundGateway> gateways, List<Attachment> attachments,
                                     List<CompiledRoute> routes, List<CompiledL4Route> l4Routes) {
        final Map<BoundListener, List<Attachment>> byListener = byListener(attachments);
        return compile(gateways, () -> byListener, (listener, gateway) -> virtualHosts(listener,
                byListener.getOrDefault(listener, List.of()), routes, gateway.backendClientCertificate()),
                routes.size(), l4Routes);
    }

    /**
     * A route edited, added or removed in an edit in place: its key, its compiled form and
     * attachments before (null and none when added) and after (null and none when removed).
     */
    public record RouteEdit(io.archway.translate.ResourceKey key, CompiledRoute before, List<Attachment> attachedBefore,
                            CompiledRoute after, List<Attachment> attachedAfter) {
    }

    /**
     * The routing table after an edit in place: the translation's routes are the previous one's with
     * {@code edits} applied (their attachments may differ), so only the virtual hosts those served
     * on or serve on are built again; every other virtual host, and each listener's order of them,
     * is the previous translation's ({@link Memo}). Attachments are grouped by listener only when a
     * TLS, TCP or UDP listener needs them.
     */
    public List<PortBinding> compileInPlace(List<BoundGateway> gateways,
                                            java.util.function.Supplier<List<Attachment>> attachments,
                                            List<RouteEdit> edits, int httpRoutes, List<CompiledL4Route> l4Routes) {
        return compileInPlace(gateways, attachments, edits, httpRoutes, l4Routes, List.of(), List.of());
    }

    /**
     * As {@link #compileInPlace(List, java.util.function.Supplier, List, int, List)}, after
     * listeners were added to or removed from the Gateways (every other listener bound as before,
     * the same instance): {@code edits} hold the routes that attach to them or did, and only those
     * listeners' virtual hosts are built or dropped.
     */
    public List<PortBinding> compileInPlace(List<BoundGateway> gateways,
                                            java.util.function.Supplier<List<Attachment>> attachments,
                                            List<RouteEdit> edits, int httpRoutes, List<CompiledL4Route> l4Routes,
                                            List<BoundListener> added, List<BoundListener> removed) {
        memo.listenersAdded(added);
        memo.edit(edits);
        memo.listenersRemoved(removed);
        final java.util.function.Supplier<Map<BoundListener, List<Attachment>>> attachedTo = new java.util.function.Supplier<>() {
            private Map<BoundListener, List<Attachment>> grouped;

            @Override
            public Map<BoundListener, List<Attachment>> get() {
                if (grouped == null) {
                    grouped = byListener(attachments.get());
                }
                return grouped;
            }
        };
        return compile(gateways, attachedTo, (listener, gateway) -> memo.hostsOf(listener), httpRoutes, l4Routes);
    }

    private List<PortBinding> compile(List<BoundGateway> gateways,
                                      java.util.function.Supplier<Map<BoundListener, List<Attachment>>> attachedTo,
                                      java.util.function.BiFunction<BoundListener, BoundGateway, List<VirtualHost>> hosts,
                                      int httpRoutes, List<CompiledL4Route> l4Routes) {
        final Map<String, Socket> sockets = new TreeMap<>();
        for (BoundGateway gateway : gateways) {
            if (!gateway.accepted()) {
                continue;
            }
            for (BoundListener listener : gateway.mergedListeners()) {
                if (!listener.served()) {
                    continue;
                }
                final String socketKey = String.format("%05d %s %s", listener.port(), listener.protocol().transport(),
                        gateway.address());
                final Socket socket = sockets.computeIfAbsent(socketKey,
                        k -> new Socket(gateway.address(), listener.port(), listener.protocol()));
                if (socket.protocol != listener.protocol()) {
                    diagnostics.error(gateway.key(), "spec.listeners", "listener " + listener.name() + " ("
                            + listener.protocol() + ") is not served: " + gateway.address() + ":" + listener.port()
                            + " already serves " + socket.protocol + " for another Gateway");
                    continue;
                }
                if (listener.protocol() == ListenerProtocol.TCP || listener.protocol() == ListenerProtocol.UDP) {
                    if (socket.l4 != null) {
                        diagnostics.error(gateway.key(), "spec.listeners", "listener " + listener.name() + " ("
                                + listener.protocol() + ") is not served: " + gateway.address() + ":" + listener.port()
                                + " already serves " + socket.l4.listener().origin());
                        continue;
                    }
                    socket.l4 = new L4Listener(listener, servedRoute(attachedTo.get().getOrDefault(listener, List.of()),
                            httpRoutes, l4Routes));
                    continue;
                }
                if (listener.protocol() == ListenerProtocol.TLS) {
                    socket.tls.stream()
                            .filter(l -> java.util.Objects.equals(l.hostname(), listener.hostname())).findFirst()
                            .ifPresent(shadowing -> diagnostics.warning(gateway.key(), "spec.listeners", "listener "
                                    + listener.name() + " has the same hostname on " + gateway.address() + ":"
                                    + listener.port() + " as " + shadowing.origin() + ", which is served first"));
                    socket.tls.add(new TlsListener(listener.origin(), listener.hostname(), listener.tlsMode(),
                            listener.certificates(),
                            sniRoutes(attachedTo.get().getOrDefault(listener, List.of()), httpRoutes, l4Routes)));
                    continue;
                }
                if (!socket.listeners.isEmpty()
                        && !java.util.Objects.equals(socket.clientValidation, listener.clientValidation())) {
                    // One socket, one handshake policy: client certificates are asked for before the
                    // SNI name or the Host can tell the listeners apart.
                    diagnostics.error(gateway.key(), "spec.tls.frontend", "listener " + listener.name()
                            + " is not served: " + gateway.address() + ":" + listener.port() + " already validates "
                            + "client certificates as " + (socket.clientValidation == null ? "none"
                                    : socket.clientValidation) + " for " + socket.listeners.get(0).origin());
                    continue;
                }
                socket.clientValidation = listener.clientValidation();
                final ListenerEntry shadowing = socket.listeners.stream()
                        .filter(l -> java.util.Objects.equals(l.hostname(), listener.hostname())).findFirst().orElse(null);
                if (shadowing != null) {
                    // Another Gateway's listener on this shared socket has the same hostname: requests
                    // go to the first in precedence order, so this one never sees traffic.
                    diagnostics.warning(gateway.key(), "spec.listeners", "listener " + listener.name() + " has the "
                            + "same hostname on " + gateway.address() + ":" + listener.port() + " as "
                            + shadowing.origin() + ", which is served first");
                }
                socket.listeners.add(new ListenerEntry(listener.origin(), listener.hostname(),
                        listener.certificates(), hosts.apply(listener, gateway)));
            }
        }
        final List<PortBinding> bindings = new ArrayList<>();
        for (Socket socket : sockets.values()) {
            bindings.add(new PortBinding(socket.address, socket.port, socket.kind()));
        }
        return bindings;
    }

    /**
     * {@code attachments} grouped by listener, in order; each list sized once (counted first: at
     * 10,000 routes on one listener, growing it step by step copied it some twenty times).
     */
    private static Map<BoundListener, List<Attachment>> byListener(List<Attachment> attachments) {
        final Map<BoundListener, int[]> counts = new java.util.IdentityHashMap<>();
        BoundListener last = null;
        int[] count = null;
        for (Attachment a : attachments) {
            if (a.listener() != last) { // routes in a row mostly attach to the same listener: one look-up per run
                last = a.listener();
                count = counts.computeIfAbsent(last, l -> new int[1]);
            }
            count[0]++;
        }
        final Map<BoundListener, List<Attachment>> out = new java.util.IdentityHashMap<>(counts.size());
        counts.forEach((listener, n) -> out.put(listener, new ArrayList<>(n[0])));
        last = null;
        List<Attachment> list = null;
        for (Attachment a : attachments) {
            if (a.listener() != last) {
                last = a.listener();
                list = out.get(last);
            }
            list.add(a);
        }
        return out;
    }

    /** The route an L4 listener serves: the first of its attached routes by precedence, or null. */
    private static L4Route servedRoute(List<Attachment> attachments, int httpRoutes, List<CompiledL4Route> l4Routes) {
        return attachments.stream().map(a -> l4Routes.get(a.routeIndex() - httpRoutes))
                .min(CompiledL4Route.PRECEDENCE).map(CompiledL4Route::route).orElse(null);
    }

    /**
     * The TLSRoutes a TLS listener serves, one per effective hostname: where several routes
     * claim a hostname, the first by precedence (the oldest).
     */
    private static List<SniRoute> sniRoutes(List<Attachment> attachments, int httpRoutes,
                                            List<CompiledL4Route> l4Routes) {
        final Map<String, CompiledL4Route> byHostname = new TreeMap<>();
        for (Attachment a : attachments) {
            final CompiledL4Route route = l4Routes.get(a.routeIndex() - httpRoutes);
            for (String hostname : a.hostnames()) {
                byHostname.merge(hostname, route,
                        (x, y) -> CompiledL4Route.PRECEDENCE.compare(x, y) <= 0 ? x : y);
            }
        }
        final List<SniRoute> out = new ArrayList<>();
        byHostname.forEach((hostname, route) -> out.add(new SniRoute(hostname, route.route())));
        out.sort(SNI_ROUTE_ORDER);
        return out;
    }

    /** An L4 listener and the route it serves. */
    private record L4Listener(BoundListener listener, L4Route route) {
    }

    /**
     * @param attachments the routes attached to {@code listener}
     * @param backendClientCertificate the listener's Gateway's, or null
     */
    private List<VirtualHost> virtualHosts(BoundListener listener, List<Attachment> attachments,
                                           List<CompiledRoute> routes, CertificateBundle backendClientCertificate) {
        // One look-up per route and hostname.
        final Map<String, List<CompiledRoute>> byHostname = new LinkedHashMap<>();
        for (Attachment a : attachments) {
            final CompiledRoute route = routes.get(a.routeIndex());
            for (String hostname : a.hostnames()) {
                byHostname.computeIfAbsent(hostname, h -> new ArrayList<>()).add(route);
            }
        }
        final List<VirtualHost> out = new ArrayList<>(byHostname.size());
        byHostname.forEach((hostname, group) -> out.add(memo == null
                ? virtualHost(hostname, group, backendClientCertificate)
                : memo.get(listener, hostname, group, backendClientCertificate,
                        () -> virtualHost(hostname, group, backendClientCertificate))));
        out.sort(VIRTUAL_HOST_ORDER);
        if (memo != null) {
            memo.currentHosts.put(listener, out);
        }
        return out;
    }

    /**
     * The entries of {@code served} (in attachment order) sorted by precedence, presenting the
     * Gateway's backend client certificate to their TLS backends.
     */
    private static VirtualHost virtualHost(String hostname, List<CompiledRoute> served,
                                           CertificateBundle backendClientCertificate) {
        final List<RankedEntry> entries = new ArrayList<>();
        served.forEach(r -> entries.addAll(r.ranked()));
        entries.sort(RankedEntry.ORDER);
        return new VirtualHost(hostname, entries.stream()
                .map(e -> presenting(e.entry(), backendClientCertificate)).toList());
    }

    /**
     * The entry as served on a listener of a Gateway with a backend client certificate
     * (GatewayBackendClientCertificate): every TLS backend of it, and of its mirrors, presents the
     * certificate. Routes compile once for all their Gateways, so the Gateway's part joins here.
     */
    private static HttpRouteEntry presenting(HttpRouteEntry entry, CertificateBundle certificate) {
        if (certificate == null) {
            return entry;
        }
        return new HttpRouteEntry(entry.origin(), entry.match(), presenting(entry.filters(), certificate),
                entry.backends().stream().map(b -> presenting(b, certificate)).toList(), entry.timeouts(),
                entry.retry());
    }

    private static List<HttpFilter> presenting(List<HttpFilter> filters, CertificateBundle certificate) {
        return filters.stream().map(f -> f instanceof HttpFilter.RequestMirror m
                ? new HttpFilter.RequestMirror(presenting(m.backend(), certificate), m.numerator(), m.denominator())
                : f).toList();
    }

    private static WeightedBackend presenting(WeightedBackend backend, CertificateBundle certificate) {
        final WeightedBackend withFilters = new WeightedBackend(backend.origin(), backend.weight(), backend.protocol(),
                backend.endpoints(), backend.invalidReason(), presenting(backend.filters(), certificate), backend.tls());
        return backend.tls() == null || backend.tls().refusal() != null ? withFilters
                : withFilters.withTls(backend.tls().withClientCertificate(certificate));
    }

    /** Scratch state for one (address, port). */
    private static final class Socket {
        final String address;
        final int port;
        final ListenerProtocol protocol;
        final List<ListenerEntry> listeners = new ArrayList<>();
        final List<TlsListener> tls = new ArrayList<>();
        /** For HTTPS: the client validation of every listener on the socket (they must agree). */
        FrontendValidation clientValidation;
        L4Listener l4;

        Socket(String address, int port, ListenerProtocol protocol) {
            this.address = address;
            this.port = port;
            this.protocol = protocol;
        }

        PortKind kind() {
            switch (protocol) {
                case TCP:
                    return new TcpPort(l4.listener().origin(), l4.route());
                case UDP:
                    return new UdpPort(l4.listener().origin(), l4.route());
                case TLS:
                    tls.sort(TLS_LISTENER_ORDER);
                    return new TlsPort(tls);
                default:
                    listeners.sort(LISTENER_ORDER);
                    return new HttpPort(protocol, listeners, clientValidation);
            }
        }
    }
}
