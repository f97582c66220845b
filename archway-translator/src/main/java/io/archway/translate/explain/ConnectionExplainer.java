package io.archway.translate.explain;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.TcpPort;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.UdpPort;
import io.archway.snapshot.dispatch.SniDispatch;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.TranslatorOptions;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.ListenerCheck;
import io.archway.translate.bind.ListenerParent;
import io.archway.translate.bind.RouteAttacher;
import io.archway.translate.compile.CompiledL4Route;
import io.archway.translate.compile.L4RouteCompiler;
import io.archway.translate.status.Diagnostics;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code explain request} for a connection to the L4 sockets: a TCP or UDP socket's listener, the
 * route the snapshot serves on it (and the other attached routes that lose to it, by the
 * translator's own attachment check and {@link CompiledL4Route#PRECEDENCE}), its backends; a TLS
 * socket's listener (Passthrough or Terminate) and route for a server name, chosen by {@link SniDispatch}, the
 * data plane's own implementation.
 */
final class ConnectionExplainer {
    private final TranslatorOptions options;
    private final ResourceView view;
    private final Translation translation;
    /** Built on first need (the losing routes of a TCP or UDP listener). */
    private BoundModel model;
    private List<CompiledL4Route> tcpRoutes;
    private List<CompiledL4Route> udpRoutes;

    ConnectionExplainer(TranslatorOptions options, ResourceView view, Translation translation) {
        this.options = options;
        this.view = view;
        this.translation = translation;
    }

    RequestExplanation explain(RequestExplainer.Query query) {
        final String sni = query.sni();
        final String what = "connection" + (query.port() != null ? " to port " + query.port()
                : " to each TCP, UDP and TLS socket")
                + (sni != null ? " with SNI " + sni : "");
        final RoutingSnapshot snapshot = translation.snapshot();
        final List<RequestExplanation.ConnectionAnswer> answers = new ArrayList<>();
        for (PortBinding binding : snapshot.ports()) {
            if (query.port() != null && binding.port() != query.port()) {
                continue;
            }
            final List<ListenerOrigin> origins = new ArrayList<>();
            if (binding.kind() instanceof TcpPort tcp) {
                origins.add(tcp.listener());
            } else if (binding.kind() instanceof UdpPort udp) {
                origins.add(udp.listener());
            } else if (binding.kind() instanceof TlsPort tls) {
                tls.listeners().forEach(l -> origins.add(l.origin()));
            } else {
                continue;
            }
            final List<String> gateways = origins.stream().map(o -> o.gatewayNamespace() + "/" + o.gatewayName())
                    .distinct().sorted().toList();
            if (query.gateway() != null && !gateways.contains(query.gateway())) {
                continue;
            }
            if (binding.kind() instanceof TcpPort tcp) {
                answers.add(l4(binding, gateways, tcp.listener(), tcp.route(), ResourceKind.TCP_ROUTE));
            } else if (binding.kind() instanceof UdpPort udp) {
                answers.add(l4(binding, gateways, udp.listener(), udp.route(), ResourceKind.UDP_ROUTE));
            } else {
                answers.add(tls(binding, gateways, (TlsPort) binding.kind(), sni));
            }
        }
        String notFound = null;
        if (answers.isEmpty()) {
            notFound = "no TCP, UDP or TLS socket serves "
                    + (query.gateway() != null ? "Gateway " + query.gateway() : "any Gateway")
                    + (query.port() != null ? " on port " + query.port() : "")
                    + " (the Gateway does not exist, is not ours, or has no programmed L4 listener there;"
                    + " for an HTTP socket pass --host)";
        }
        return new RequestExplanation(what, List.of(), notFound, answers);
    }

    /** A TCP or UDP socket: its one listener and the route the snapshot serves on it. */
    private RequestExplanation.ConnectionAnswer l4(PortBinding binding, List<String> gateways, ListenerOrigin listener,
                                                   L4Route route, ResourceKind kind) {
        final String protocol = binding.kind().protocolName();
        final List<RequestExplanation.OtherRoute> others = others(listener, route, kind);
        if (route == null) {
            return new RequestExplanation.ConnectionAnswer(binding.address(), binding.port(), protocol, gateways, null,
                    false, (kind == ResourceKind.UDP_ROUTE ? "dropped" : "closed") + ": listener " + listener
                    + " has no attached " + kind.kind(), listener.toString(), List.of(), List.of(), null, null,
                    others, List.of());
        }
        return served(binding, gateways, null, listener.toString(), List.of(), List.of(), route, others);
    }

    private RequestExplanation.ConnectionAnswer served(PortBinding binding, List<String> gateways, String sni,
                                                       String listener, List<RequestExplanation.Candidate> listeners,
                                                       List<RequestExplanation.Candidate> routes, L4Route route,
                                                       List<RequestExplanation.OtherRoute> others) {
        final boolean udp = binding.kind() instanceof UdpPort;
        final String refused = udp ? "dropped" : "closed";
        final RequestExplainer.Shares s = RequestExplainer.shares(route.backends());
        final boolean forwarded = s.ok() > 0;
        final String outcome;
        if (s.total() == 0) {
            outcome = refused + ": " + (route.backends().isEmpty() ? "the rule has no backendRefs"
                    : "every backend weight is 0");
        } else if (forwarded) {
            outcome = "forwarded to " + s.backends().stream().filter(b -> b.weight() > 0 && b.valid()
                    && b.readyEndpoints() > 0).map(b -> b.backend() + " (" + b.share() + ")")
                    .reduce((a, b) -> a + ", " + b).orElse("")
                    + (s.invalid() > 0 ? String.format(Locale.ROOT, "; %.1f%% %s (invalid backend)", s.invalid(),
                    refused) : "")
                    + (s.empty() > 0 ? String.format(Locale.ROOT, "; %.1f%% %s (no ready endpoints)", s.empty(),
                    refused) : "");
        } else {
            outcome = refused + ": " + (s.invalid() >= s.empty()
                    ? String.format(Locale.ROOT, "%.1f%% of the connections go to invalid backends (%s)", s.invalid(),
                    s.backends().stream().filter(b -> !b.valid()).map(b -> b.backend() + ": " + b.invalidReason())
                            .reduce((a, b) -> a + ", " + b).orElse(""))
                    : String.format(Locale.ROOT, "%.1f%% of the connections go to backends without ready endpoints",
                    s.empty()));
        }
        return new RequestExplanation.ConnectionAnswer(binding.address(), binding.port(), binding.kind().protocolName(),
                gateways, sni, forwarded, outcome, listener, listeners, routes, RequestExplainer.route(route.origin()),
                RequestExplainer.rule(route.origin()), others, s.backends());
    }

    /**
     * A TLS socket: the listener (Passthrough or Terminate) and route the server name picks, as the
     * data plane does.
     */
    private RequestExplanation.ConnectionAnswer tls(PortBinding binding, List<String> gateways, TlsPort port,
                                                    String sni) {
        final SniDispatch dispatch = new SniDispatch(port);
        final String name = SniDispatch.normalizeServerName(sni);
        final int l = name == null ? -1 : dispatch.listener(name);
        final List<RequestExplanation.Candidate> listeners = new ArrayList<>();
        for (int i = 0; i < port.listeners().size(); i++) {
            final TlsPort.TlsListener pl = port.listeners().get(i);
            final String hostname = pl.hostname() == null ? "(any)" : pl.hostname();
            final boolean matches = name != null && io.archway.snapshot.Hostnames.matches(pl.hostname(), name);
            final String reason = name == null ? "no server name to match" : i == l ? "most specific match"
                    : matches ? "matches too, but " + port.listeners().get(l).origin() + " is more specific"
                    + " (or first)" : "hostname does not match " + name;
            listeners.add(new RequestExplanation.Candidate(pl.origin().toString(), hostname, matches, i == l, reason));
        }
        if (sni == null || name == null) {
            return new RequestExplanation.ConnectionAnswer(binding.address(), binding.port(), "tls", gateways, null,
                    false, "closed: " + (sni == null ? "no SNI given: a ClientHello without a server name is closed"
                    + " (pass --sni NAME)" : "'" + sni + "' is not a DNS hostname, which no listener serves"),
                    null, listeners, List.of(), null, null, List.of(), List.of());
        }
        if (l < 0) {
            return new RequestExplanation.ConnectionAnswer(binding.address(), binding.port(), "tls", gateways, name,
                    false, "closed: no listener hostname matches " + name, null, listeners, List.of(), null, null,
                    List.of(), List.of());
        }
        final TlsPort.TlsListener chosen = port.listeners().get(l);
        final int r = dispatch.route(l, name);
        final List<RequestExplanation.Candidate> routes = new ArrayList<>();
        for (int i = 0; i < chosen.routes().size(); i++) {
            final TlsPort.SniRoute sr = chosen.routes().get(i);
            final boolean matches = io.archway.snapshot.Hostnames.matches(sr.hostname(), name);
            final String reason = i == r ? "most specific match" : matches
                    ? "matches too, but " + sr.hostname() + " is less specific than "
                    + chosen.routes().get(r).hostname() : "hostname does not match " + name;
            routes.add(new RequestExplanation.Candidate(RequestExplainer.route(sr.route().origin()), sr.hostname(),
                    matches, i == r, reason));
        }
        if (r < 0) {
            return new RequestExplanation.ConnectionAnswer(binding.address(), binding.port(), "tls", gateways, name,
                    false, "closed: listener " + chosen.origin() + " has no TLSRoute for " + name
                    + " (no fall-through to a less specific listener)", chosen.origin().toString(), listeners, routes,
                    null, null, List.of(), List.of());
        }
        return served(binding, gateways, name, chosen.origin().toString(), listeners, routes,
                chosen.routes().get(r).route(), List.of());
    }

    /**
     * The routes of {@code kind} attached to {@code listener} (the translator's own check) other
     * than the one served, with why each loses; the served one first by precedence.
     */
    private List<RequestExplanation.OtherRoute> others(ListenerOrigin listener, L4Route served, ResourceKind kind) {
        if (model == null) {
            model = new BoundModel(view, options);
            final L4RouteCompiler compiler = new L4RouteCompiler(model.backends, new Diagnostics(view));
            tcpRoutes = view.tcpRoutes().stream().map(compiler::compile).toList();
            udpRoutes = view.udpRoutes().stream().map(compiler::compile).toList();
        }
        // the listener's own resource: its Gateway, or the ListenerSet that declares it
        final ListenerParent parent = model.parents.get(new ResourceKey(listener.kind(), listener.namespace(),
                listener.name()));
        if (parent == null) {
            return List.of();
        }
        final BoundListener bound = parent.listeners().stream().filter(b -> b.origin().equals(listener)).findFirst()
                .orElse(null);
        if (bound == null) {
            return List.of();
        }
        final List<CompiledL4Route> attached = new ArrayList<>();
        for (CompiledL4Route r : kind == ResourceKind.UDP_ROUTE ? udpRoutes : tcpRoutes) {
            for (ParentReference ref : r.context().parentRefs()) {
                if (parent.key().equals(RouteAttacher.parentKey(ref, r.context().key().namespace()))
                        && ListenerCheck.of(bound, ref, r.context()).attached()) {
                    attached.add(r);
                    break;
                }
            }
        }
        attached.sort(CompiledL4Route.PRECEDENCE);
        final CompiledL4Route winner = served == null ? null : attached.stream()
                .filter(r -> r.context().key().namespace().equals(served.origin().namespace())
                        && r.context().key().name().equals(served.origin().name())).findFirst().orElse(null);
        final List<RequestExplanation.OtherRoute> out = new ArrayList<>();
        for (CompiledL4Route r : attached) {
            if (r == winner) {
                continue;
            }
            final String name = kind.kind() + " " + r.context().key().namespace() + "/" + r.context().key().name();
            final String reason;
            if (winner == null) {
                reason = "attached, but not served";
            } else if (winner.created() != null && !winner.created().equals(r.created())) {
                reason = "attached too, but only one route serves a " + kind.kind() + " listener and "
                        + RequestExplainer.route(served.origin()) + " is older (created " + winner.created()
                        + " vs " + (r.created() == null ? "unknown" : r.created()) + ")";
            } else {
                reason = "attached too, but only one route serves a " + kind.kind() + " listener: same age, and "
                        + RequestExplainer.route(served.origin()) + " comes first by namespace/name";
            }
            out.add(new RequestExplanation.OtherRoute(name, reason));
        }
        return out;
    }
}
