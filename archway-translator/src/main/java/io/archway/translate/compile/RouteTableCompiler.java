package io.archway.translate.compile;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.VirtualHost;
import io.archway.translate.bind.Attachment;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.status.Diagnostics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Phase 5: builds the routing table. Every programmed listener of an accepted Gateway becomes a
 * {@link ListenerEntry} on the {@link PortBinding} of its (address, port), most specific hostname
 * first; its attached routes are grouped into virtual hosts by effective hostname (most specific
 * first) and sorted by {@link HttpRulePrecedence}.
 */
public final class RouteTableCompiler {
    private static final Comparator<ListenerEntry> LISTENER_ORDER = Comparator
            .comparing((ListenerEntry l) -> Hostnames.specificity(l.hostname()), Comparator.reverseOrder())
            .thenComparing(l -> l.origin().toString());
    private static final Comparator<VirtualHost> VIRTUAL_HOST_ORDER = Comparator
            .comparing((VirtualHost v) -> Hostnames.specificity(v.hostname()), Comparator.reverseOrder())
            .thenComparing(VirtualHost::hostname);

    private final Diagnostics diagnostics;

    public RouteTableCompiler(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /**
     * @param gateways ours, in key order
     * @param routes the compiled routes, indexed by {@link Attachment#routeIndex()}
     */
    public List<PortBinding> compile(List<BoundGateway> gateways, List<Attachment> attachments,
                                     List<CompiledRoute> routes) {
        final Map<BoundListener, List<Attachment>> byListener = new java.util.IdentityHashMap<>();
        for (Attachment a : attachments) {
            byListener.computeIfAbsent(a.listener(), l -> new ArrayList<>()).add(a);
        }
        final Map<String, Socket> sockets = new TreeMap<>();
        for (BoundGateway gateway : gateways) {
            if (!gateway.accepted()) {
                continue;
            }
            for (BoundListener listener : gateway.listeners()) {
                if (!listener.programmed()) {
                    continue;
                }
                final String socketKey = String.format("%05d %s", listener.port(), gateway.address());
                final Socket socket = sockets.computeIfAbsent(socketKey,
                        k -> new Socket(gateway.address(), listener.port(), listener.protocol()));
                if (socket.protocol != listener.protocol()) {
                    diagnostics.error(gateway.key(), "spec.listeners", "listener " + listener.name() + " ("
                            + listener.protocol() + ") is not served: " + gateway.address() + ":" + listener.port()
                            + " already serves " + socket.protocol + " for another Gateway");
                    continue;
                }
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
                        listener.certificates(), virtualHosts(byListener.getOrDefault(listener, List.of()), routes)));
            }
        }
        final List<PortBinding> bindings = new ArrayList<>();
        for (Socket socket : sockets.values()) {
            socket.listeners.sort(LISTENER_ORDER);
            bindings.add(new PortBinding(socket.address, socket.port, new HttpPort(socket.protocol, socket.listeners)));
        }
        return bindings;
    }

    /** @param attachments the routes attached to one listener */
    private static List<VirtualHost> virtualHosts(List<Attachment> attachments, List<CompiledRoute> routes) {
        final Map<String, List<RankedEntry>> byHostname = new LinkedHashMap<>();
        for (Attachment a : attachments) {
            final CompiledRoute route = routes.get(a.routeIndex());
            for (String hostname : a.hostnames()) {
                final List<RankedEntry> entries = byHostname.computeIfAbsent(hostname, h -> new ArrayList<>());
                for (HttpRouteEntry entry : route.entries()) {
                    entries.add(new RankedEntry(entry, route.created()));
                }
            }
        }
        final List<VirtualHost> out = new ArrayList<>();
        byHostname.forEach((hostname, entries) -> {
            entries.sort(HttpRulePrecedence.ORDER);
            out.add(new VirtualHost(hostname, entries.stream().map(RankedEntry::entry).toList()));
        });
        out.sort(VIRTUAL_HOST_ORDER);
        return out;
    }

    /** Scratch state for one (address, port). */
    private static final class Socket {
        final String address;
        final int port;
        final ListenerProtocol protocol;
        final List<ListenerEntry> listeners = new ArrayList<>();

        Socket(String address, int port, ListenerProtocol protocol) {
            this.address = address;
            this.port = port;
            this.protocol = protocol;
        }
    }
}
