package io.archway.translate.explain;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.WeightedBackend;
import io.archway.snapshot.dispatch.CompiledMatch;
import io.archway.snapshot.dispatch.CompiledPort;
import io.archway.snapshot.dispatch.CorsFilter;
import io.archway.snapshot.dispatch.DecisionAlternative;
import io.archway.snapshot.dispatch.DispatchTrace;
import io.archway.snapshot.dispatch.RouteDecision;
import io.archway.snapshot.dispatch.SimpleRequest;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.bind.CreationTimestamps;
import io.archway.translate.compile.GrpcMethodRank;
import io.archway.translate.compile.GrpcRouteRuleCompiler;
import io.archway.translate.compile.GrpcRulePrecedence;
import io.archway.translate.compile.HttpRulePrecedence;
import io.archway.translate.compile.RankedEntry;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Explains where a request goes: translate with the server's {@link Translator}, then dispatch
 * with trace through the data plane's own dispatcher ({@link CompiledPort}) on the socket(s) of
 * the chosen Gateway. The winner is by construction the entry the proxy would pick.
 */
public final class RequestExplainer {
    /**
     * What to explain.
     *
     * @param gateway {@code namespace/name}, or null for every Gateway
     * @param port a listener port, or null for every port of the Gateway(s)
     * @param host the Host header (may carry a port); null asks about a connection to the TCP, UDP
     *     and TLS passthrough sockets instead of an HTTP request
     * @param pathAndQuery e.g. {@code /foo?a=1}
     * @param headers header name to values
     * @param sni the server name a TLS client sends: it picks a TLS socket's listener and route,
     *     and on an HTTPS socket the listener the connection was opened for (a request whose Host
     *     selects another listener is misdirected, 421, as the proxy answers); null for none
     */
    public record Query(String gateway, Integer port, String host, String method, String pathAndQuery,
                        Map<String, List<String>> headers, String sni) {
        public Query {
            pathAndQuery = pathAndQuery == null ? "/" : pathAndQuery;
            method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
            headers = headers == null ? Map.of() : headers;
        }

        /** An HTTP request. */
        public Query(String gateway, Integer port, String host, String method, String pathAndQuery,
                     Map<String, List<String>> headers) {
            this(gateway, port, Objects.requireNonNull(host, "host"), method, pathAndQuery, headers, null);
        }

        /** A connection to the L4 sockets (TCP, UDP, TLS passthrough). */
        public static Query connection(String gateway, Integer port, String sni) {
            return new Query(gateway, port, null, null, null, null, sni);
        }

        /** Whether a connection, not an HTTP request, is asked about. */
        public boolean connection() {
            return host == null;
        }
    }

    private final TranslatorOptions options;

    public RequestExplainer(TranslatorOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Translates {@code view} and explains. */
    public RequestExplanation explain(ResourceView view, Query query) {
        return explain(view, new Translator(options).translate(view, 1), query);
    }

    /** Explains against an existing translation of {@code view}. */
    public RequestExplanation explain(ResourceView view, Translation translation, Query query) {
        if (query.connection()) {
            return new ConnectionExplainer(options, view, translation).explain(query);
        }
        final SimpleRequest request = new SimpleRequest(query.method(), query.pathAndQuery(), query.host(),
                query.headers());
        final String what = query.method() + " " + request.host() + query.pathAndQuery();
        final RoutingSnapshot snapshot = translation.snapshot();
        final List<RequestExplanation.PortAnswer> answers = new ArrayList<>();
        for (PortBinding binding : snapshot.ports()) {
            if (query.port() != null && binding.port() != query.port()
                    || !(binding.kind() instanceof HttpPort http)) {
                continue;
            }
            final TreeSet<String> gateways = new TreeSet<>();
            http.listeners().forEach(l -> gateways.add(l.origin().gatewayNamespace() + "/"
                    + l.origin().gatewayName()));
            if (query.gateway() != null && !gateways.contains(query.gateway())) {
                continue;
            }
            final CompiledPort<HttpRouteEntry> port = CompiledPort.of(binding);
            // The connection's SNI name, when given, must select the listener the Host selects
            // (CompiledPort.decide, as the proxy); without one, the request alone is explained.
            final int sniListener = query.sni() == null ? -1 : port.listenerIndex(Hostnames.normalizeHost(query.sni()));
            answers.add(answer(view, binding, http, List.copyOf(gateways), port.trace(request), request,
                    port.alternatives(request, query.sni()), query.sni() == null ? null : "the SNI name "
                            + query.sni() + " selects " + (sniListener < 0 ? "no listener"
                            : "listener " + http.listeners().get(sniListener).origin())));
        }
        String notFound = null;
        if (answers.isEmpty()) {
            notFound = "404: no socket serves " + (query.gateway() != null ? "Gateway " + query.gateway() : "any Gateway")
                    + (query.port() != null ? " on port " + query.port() : "")
                    + " (the Gateway does not exist, is not ours, or has no programmed listener there)";
        }
        return new RequestExplanation(what, answers, notFound);
    }

    private static RequestExplanation.PortAnswer answer(ResourceView view, PortBinding binding, HttpPort http,
                                                        List<String> gateways, DispatchTrace t, SimpleRequest request,
                                                        List<DecisionAlternative<HttpRouteEntry>> alternatives,
                                                        String sniListener) {
        final List<RequestExplanation.Candidate> listeners = t.listeners().stream()
                .map(c -> new RequestExplanation.Candidate(c.value().origin().toString(), display(c.hostname()),
                        c.matches(), c.selected(), c.reason())).toList();
        final List<RequestExplanation.Candidate> vhosts = t.virtualHosts().stream()
                .map(c -> new RequestExplanation.Candidate(c.value().hostname(), c.hostname(), c.matches(),
                        c.selected(), c.reason())).toList();
        final HttpRouteEntry win = t.winner();
        final List<RequestExplanation.Entry> entries = new ArrayList<>();
        for (DispatchTrace.EntryCandidate e : t.entries()) {
            String reason = e.reason();
            if (e.outcome() == DispatchTrace.Outcome.LOWER_PRECEDENCE) {
                reason = "matches too, but " + route(win.origin()) + " rule " + rule(win.origin()) + " wins: "
                        + decidingStep(view, win, e.entry());
            }
            entries.add(new RequestExplanation.Entry(e.position(), route(e.entry().origin()), rule(e.entry().origin()),
                    e.entry().origin().matchIndex(), CompiledMatch.describe(e.entry().match()), e.outcome().name(),
                    reason));
        }
        final String listener = t.listener() == null ? null : t.listener().origin().toString();
        final String vhost = t.virtualHost() == null ? null : t.virtualHost().hostname();
        final List<RequestExplanation.Decision> decisions = decisions(alternatives, request);
        if (alternatives.size() == 1 && alternatives.get(0).decision().kind() == RouteDecision.Kind.MISDIRECTED) {
            return new RequestExplanation.PortAnswer(binding.address(), binding.port(), http.protocol().name(),
                    gateways, 421, "421: misdirected: " + sniListener + ", the Host " + (listener == null
                            ? "selects no listener" : "selects listener " + listener), listener, listeners, vhost,
                    vhosts, null, entries, List.of(), List.of(), decisions);
        }
        if (win == null) {
            return new RequestExplanation.PortAnswer(binding.address(), binding.port(), http.protocol().name(),
                    gateways, 404, "404: " + t.notFound(), listener, listeners, vhost, vhosts, null, entries,
                    List.of(), List.of(), decisions);
        }
        final List<String> filters = win.filters().stream().map(RequestExplainer::describe).toList();
        final List<RequestExplanation.Backend> backends = shares(win.backends()).backends();
        final Outcome outcome = outcome(alternatives, decisions);
        final RouteOrigin o = win.origin();
        return new RequestExplanation.PortAnswer(binding.address(), binding.port(), http.protocol().name(), gateways,
                outcome.status(), outcome.text(), listener, listeners, vhost, vhosts, new RequestExplanation.Winner(
                        route(o), rule(o), o.ruleIndex(), o.matchIndex(), CompiledMatch.describe(win.match())), entries,
                filters, backends, decisions);
    }

    /** Every answer the request can get ({@link CompiledPort#alternatives}: the proxy's own decision), in words. */
    private static List<RequestExplanation.Decision> decisions(List<DecisionAlternative<HttpRouteEntry>> alternatives,
                                                               SimpleRequest request) {
        final List<RequestExplanation.Decision> out = new ArrayList<>();
        for (DecisionAlternative<HttpRouteEntry> a : alternatives) {
            final RouteDecision<HttpRouteEntry> d = a.decision();
            String backend = null;
            String location = null;
            String reason = null;
            if (d instanceof RouteDecision.Routed<HttpRouteEntry> r && r.backend() != null) {
                backend = r.backend().origin().toString();
            }
            if (d instanceof RouteDecision.Redirect<HttpRouteEntry> r) {
                location = r.location(request);
                reason = (r.backendIndex() < 0 ? "the rule's " : "backendRef " + backend + "'s ")
                        + describe(r.redirect());
            } else if (d instanceof RouteDecision.CorsPreflight<HttpRouteEntry> c) {
                final String origin = CorsFilter.origin(request);
                reason = "CORS preflight answered by the gateway" + (c.cors().allows(origin) ? ""
                        : ", without CORS headers (origin " + origin + " is not allowed)");
            } else if (d instanceof RouteDecision.NoBackend<HttpRouteEntry> n) {
                reason = n.reason() == RouteDecision.NoBackendReason.NO_BACKEND_REFS ? "the rule has no backendRefs"
                        : "every backend weight is 0";
            } else if (d instanceof RouteDecision.InvalidBackend<HttpRouteEntry> i) {
                reason = "invalid backend " + backend + ": " + i.backend().unservableReason();
            } else if (d instanceof RouteDecision.NoEndpoints<HttpRouteEntry>) {
                reason = backend + " has no ready endpoints";
            } else if (d instanceof RouteDecision.Proxy<HttpRouteEntry> p) {
                reason = "proxied to " + backend + (p.filters().isEmpty() ? "" : " with " + p.filters().size()
                        + " filter(s)") + upstreamPolicy(p.entry()) + upstreamTls(p.backend());
            }
            out.add(new RequestExplanation.Decision(d.kind().name(), d.status(), percent(a.percent()), backend,
                    location, reason));
        }
        return out;
    }

    /**
     * How a proxied request reaches a backend a BackendTLSPolicy targets: the handshake, after the
     * decision, verifies the backend, and one that fails verification is answered 502.
     */
    static String upstreamTls(WeightedBackend backend) {
        final io.archway.snapshot.BackendTls tls = backend.tls();
        if (tls == null) {
            return "";
        }
        return "; " + UPSTREAM_TLS + " (BackendTLSPolicy " + tls.policy() + ", SNI " + tls.hostname()
                + (tls.clientCertificate() == null ? "" : ", presenting " + tls.clientCertificate().source())
                + "): a backend whose certificate fails verification is answered 502";
    }

    /** The words {@link #upstreamTls} starts with. */
    public static final String UPSTREAM_TLS = "over TLS";

    /**
     * What the rule's timeouts and retry policy can still do to a proxied request, after the
     * decision: the data plane answers 504 past a timeout, and a retry may reach another endpoint.
     */
    static String upstreamPolicy(HttpRouteEntry entry) {
        final StringBuilder out = new StringBuilder();
        final io.archway.snapshot.RouteTimeouts t = entry.timeouts();
        if (io.archway.snapshot.RouteTimeouts.enabled(t.request())) {
            out.append("; request timeout ").append(millis(t.request()));
        }
        if (io.archway.snapshot.RouteTimeouts.enabled(t.backendRequest())) {
            out.append("; backendRequest timeout ").append(millis(t.backendRequest()));
        }
        if (out.length() > 0) {
            out.append(" (504 past it)");
        }
        final io.archway.snapshot.RetryPolicy r = entry.retry();
        if (r != null) {
            out.append("; retried up to ").append(r.attempts()).append(" time(s) on connection errors")
                    .append(r.codes().isEmpty() ? "" : " and " + r.codes()).append(", backoff ")
                    .append(millis(r.backoff()));
        }
        return out.toString();
    }

    private static String millis(java.time.Duration d) {
        return d.toMillis() + "ms";
    }

    private record Outcome(int status, String text) {
    }

    /**
     * The status most of the traffic gets (an even split: proxied, then 500, then 503, then a
     * redirect), and the answer in words.
     */
    private static Outcome outcome(List<DecisionAlternative<HttpRouteEntry>> alternatives,
                                   List<RequestExplanation.Decision> decisions) {
        if (alternatives.size() == 1 && alternatives.get(0).decision() instanceof RouteDecision.Redirect<?> r) {
            final RequestExplanation.Decision d = decisions.get(0);
            return new Outcome(r.status(), r.status() + ": redirect to " + d.location() + " (" + d.reason() + ")");
        }
        if (alternatives.size() == 1 && alternatives.get(0).decision() instanceof RouteDecision.CorsPreflight<?> c) {
            return new Outcome(c.status(), c.status() + ": " + decisions.get(0).reason());
        }
        if (alternatives.size() == 1 && alternatives.get(0).decision() instanceof RouteDecision.NoBackend<?> n) {
            return new Outcome(500, "500: " + decisions.get(0).reason());
        }
        final Map<RouteDecision.Kind, Double> byKind = new java.util.EnumMap<>(RouteDecision.Kind.class);
        for (DecisionAlternative<HttpRouteEntry> a : alternatives) {
            byKind.merge(a.decision().kind(), a.percent(), Double::sum);
        }
        final double ok = byKind.getOrDefault(RouteDecision.Kind.PROXY, 0.0);
        final double invalid = byKind.getOrDefault(RouteDecision.Kind.INVALID_BACKEND, 0.0);
        final double empty = byKind.getOrDefault(RouteDecision.Kind.NO_ENDPOINTS, 0.0);
        final double redirected = byKind.getOrDefault(RouteDecision.Kind.REDIRECT, 0.0);
        final List<String> redirects = new ArrayList<>();
        int redirectStatus = 0;
        for (RequestExplanation.Decision d : decisions) {
            if (d.kind().equals(RouteDecision.Kind.REDIRECT.name())) {
                redirects.add(d.share() + " redirected " + d.status() + " to " + d.location() + " (" + d.reason() + ")");
                redirectStatus = redirectStatus == 0 ? d.status() : redirectStatus;
            }
        }
        if (ok > 0 && ok >= invalid && ok >= empty && ok >= redirected) {
            final StringBuilder text = new StringBuilder("proxied to ").append(decisions.stream()
                    .filter(d -> d.kind().equals(RouteDecision.Kind.PROXY.name()))
                    .map(d -> d.backend() + " (" + d.share() + ")").reduce((a, b) -> a + ", " + b).orElse(""));
            if (invalid > 0) {
                text.append("; ").append(percent(invalid)).append(" answered 500 (invalid backend)");
            }
            if (empty > 0) {
                text.append("; ").append(percent(empty)).append(" answered 503 (no ready endpoints)");
            }
            redirects.forEach(r -> text.append("; ").append(r));
            return new Outcome(200, text.toString());
        }
        if (invalid > 0 && invalid >= empty && invalid >= redirected) {
            return new Outcome(500, "500: " + percent(invalid) + " of the traffic goes to invalid backends ("
                    + decisions.stream().filter(d -> d.kind().equals(RouteDecision.Kind.INVALID_BACKEND.name()))
                            .map(d -> d.reason().substring("invalid backend ".length()))
                            .reduce((a, b) -> a + ", " + b).orElse("") + ")");
        }
        if (empty > 0 && empty >= redirected) {
            return new Outcome(503, "503: " + percent(empty)
                    + " of the traffic goes to backends without ready endpoints");
        }
        return new Outcome(redirectStatus, redirectStatus + ": " + String.join("; ", redirects));
    }

    private static String percent(double p) {
        return String.format(Locale.ROOT, "%.1f%%", p);
    }

    /** A rule's backends with their shares of the traffic, and the shares that fail. */
    record Shares(long total, double ok, double invalid, double empty, List<RequestExplanation.Backend> backends) {
    }

    static Shares shares(List<WeightedBackend> weighted) {
        long total = 0;
        for (WeightedBackend b : weighted) {
            total += b.weight();
        }
        final List<RequestExplanation.Backend> backends = new ArrayList<>();
        double ok = 0;
        double invalid = 0;
        double empty = 0;
        for (WeightedBackend b : weighted) {
            final double share = total == 0 ? 0 : 100.0 * b.weight() / total;
            if (b.unservableReason() != null) {
                invalid += share;
            } else if (b.endpoints().isEmpty()) {
                empty += share;
            } else {
                ok += share;
            }
            backends.add(new RequestExplanation.Backend(b.origin().toString(), b.origin().namespace(),
                    b.origin().name(), b.origin().port(), b.weight(), String.format(Locale.ROOT, "%.1f%%", share),
                    b.unservableReason() == null, b.unservableReason(), b.endpoints().size(),
                    b.endpoints().stream().map(Object::toString).toList(),
                    b.filters().stream().map(RequestExplainer::describe).toList()));
        }
        return new Shares(total, ok, invalid, empty, backends);
    }

    private static String display(String hostname) {
        return hostname == null ? "(any)" : hostname;
    }

    static String route(RouteOrigin o) {
        return o.kind() + " " + o.namespace() + "/" + o.name();
    }

    static String rule(RouteOrigin o) {
        return o.ruleName() != null ? o.ruleName() : String.valueOf(o.ruleIndex());
    }

    /**
     * Which precedence step puts {@code winner} before {@code loser}: the compiler's own steps,
     * named ({@link HttpRulePrecedence#STEPS} for HTTPRoute entries, {@link GrpcRulePrecedence#STEPS}
     * for GRPCRoute entries, which never share a virtual host with HTTPRoute ones).
     */
    static String decidingStep(ResourceView view, HttpRouteEntry winner, HttpRouteEntry loser) {
        final RankedEntry w = ranked(view, winner);
        final RankedEntry l = ranked(view, loser);
        final HttpRulePrecedence.Step step = w.grpc() != null && l.grpc() != null
                ? GrpcRulePrecedence.decidingStep(w, l) : HttpRulePrecedence.decidingStep(w, l);
        return step == null ? "the same entry" : step.name() + ": " + step.why().apply(w, l);
    }

    /** An entry as the compiler ranked it: its route's creation time and, for a GRPCRoute, its method match. */
    private static RankedEntry ranked(ResourceView view, HttpRouteEntry entry) {
        final RouteOrigin o = entry.origin();
        if (ResourceKind.GRPC_ROUTE.kind().equals(o.kind())) {
            for (GRPCRoute r : view.grpcRoutes()) {
                if (o.name().equals(r.getMetadata().getName()) && o.namespace().equals(r.getMetadata().getNamespace())) {
                    return new RankedEntry(entry, CreationTimestamps.of(r), GrpcRouteRuleCompiler.rank(r, o));
                }
            }
            return new RankedEntry(entry, null, GrpcMethodRank.ANY);
        }
        for (HTTPRoute r : view.httpRoutes()) {
            if (o.name().equals(r.getMetadata().getName()) && o.namespace().equals(r.getMetadata().getNamespace())) {
                return new RankedEntry(entry, CreationTimestamps.of(r));
            }
        }
        return new RankedEntry(entry, null);
    }

    /** A filter in words. */
    static String describe(HttpFilter f) {
        if (f instanceof HttpFilter.RequestHeaderModifier m) {
            return "RequestHeaderModifier " + edits(m.edits());
        }
        if (f instanceof HttpFilter.ResponseHeaderModifier m) {
            return "ResponseHeaderModifier " + edits(m.edits());
        }
        if (f instanceof HttpFilter.RequestRedirect r) {
            return "RequestRedirect " + r.statusCode()
                    + (r.scheme() != null ? " scheme " + r.scheme() : "")
                    + (r.hostname() != null ? " hostname " + r.hostname() : "")
                    + (r.port() != null ? " port " + r.port() : "")
                    + (r.path() != null ? " path " + path(r.path()) : "");
        }
        if (f instanceof HttpFilter.Cors c) {
            return new CorsFilter(c).toString();
        }
        if (f instanceof HttpFilter.UrlRewrite u) {
            return "URLRewrite" + (u.hostname() != null ? " hostname " + u.hostname() : "")
                    + (u.path() != null ? " path " + path(u.path()) : "");
        }
        if (f instanceof HttpFilter.RequestMirror m) {
            return "RequestMirror to " + m.backend().origin()
                    + (m.numerator() == m.denominator() ? "" : " for " + m.numerator() + "/" + m.denominator()
                    + " of requests");
        }
        return f.toString();
    }

    private static String path(PathModifier p) {
        return (p.type() == PathModifier.Type.REPLACE_FULL_PATH ? "ReplaceFullPath " : "ReplacePrefixMatch ")
                + p.value();
    }

    private static String edits(HeaderEdits e) {
        final List<String> parts = new ArrayList<>();
        for (Header h : e.set()) {
            parts.add("set " + h.name() + ": " + h.value());
        }
        for (Header h : e.add()) {
            parts.add("add " + h.name() + ": " + h.value());
        }
        for (String r : e.remove()) {
            parts.add("remove " + r);
        }
        return String.join(", ", parts);
    }
}
