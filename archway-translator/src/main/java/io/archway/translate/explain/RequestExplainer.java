package io.archway.translate.explain;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.WeightedBackend;
import io.archway.snapshot.dispatch.CompiledMatch;
import io.archway.snapshot.dispatch.CompiledPort;
import io.archway.snapshot.dispatch.CorsFilter;
import io.archway.snapshot.dispatch.DispatchTrace;
import io.archway.snapshot.dispatch.RequestFacts;
import io.archway.snapshot.dispatch.SimpleRequest;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
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
     * @param sni the server name a TLS client sends (TLS passthrough sockets); null for none
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
            answers.add(answer(view, binding, http, List.copyOf(gateways), CompiledPort.of(binding).trace(request), request));
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
                                                        List<String> gateways,
                                                        DispatchTrace t, RequestFacts request) {
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
        if (win == null) {
            return new RequestExplanation.PortAnswer(binding.address(), binding.port(), http.protocol().name(),
                    gateways, 404, "404: " + t.notFound(), listener, listeners, vhost, vhosts, null, entries,
                    List.of(), List.of());
        }
        final List<String> filters = win.filters().stream().map(RequestExplainer::describe).toList();
        final Shares shares = shares(win.backends());
        final long total = shares.total();
        final double invalid = shares.invalid();
        final double empty = shares.empty();
        final double ok = shares.ok();
        final List<RequestExplanation.Backend> backends = shares.backends();
        final HttpFilter.RequestRedirect redirect = win.filters().stream()
                .filter(f -> f instanceof HttpFilter.RequestRedirect).map(f -> (HttpFilter.RequestRedirect) f)
                .findFirst().orElse(null);
        final HttpFilter.Cors cors = win.filters().stream().filter(f -> f instanceof HttpFilter.Cors)
                .map(f -> (HttpFilter.Cors) f).findFirst().orElse(null);
        final int status;
        final String outcome;
        if (cors != null && CorsFilter.isPreflight(request)) {
            // The proxy's CORS step: the gateway answers a preflight itself, before any redirect or backend.
            status = CorsFilter.PREFLIGHT_STATUS;
            outcome = status + ": CORS preflight answered by the gateway" + (new CorsFilter(cors).allows(
                    CorsFilter.origin(request)) ? "" : ", without CORS headers (origin "
                    + CorsFilter.origin(request) + " is not allowed)");
        } else if (redirect != null) {
            status = redirect.statusCode();
            outcome = status + ": redirect (" + describe(redirect) + ")";
        } else if (total == 0) {
            status = 500;
            outcome = "500: " + (win.backends().isEmpty() ? "the rule has no backendRefs" : "every backend weight is 0");
        } else if (ok >= invalid && ok >= empty) {
            status = 200;
            outcome = "proxied to " + backends.stream().filter(b -> b.weight() > 0 && b.valid()
                    && b.readyEndpoints() > 0).map(b -> b.backend() + " (" + b.share() + ")")
                    .reduce((a, b) -> a + ", " + b).orElse("")
                    + (invalid > 0 ? String.format(Locale.ROOT, "; %.1f%% answered 500 (invalid backend)", invalid) : "")
                    + (empty > 0 ? String.format(Locale.ROOT, "; %.1f%% answered 503 (no ready endpoints)", empty) : "");
        } else if (invalid >= empty) {
            status = 500;
            outcome = String.format(Locale.ROOT, "500: %.1f%% of the traffic goes to invalid backends (%s)", invalid,
                    backends.stream().filter(b -> !b.valid()).map(b -> b.backend() + ": " + b.invalidReason())
                            .reduce((a, b) -> a + ", " + b).orElse(""));
        } else {
            status = 503;
            outcome = String.format(Locale.ROOT, "503: %.1f%% of the traffic goes to backends without ready endpoints",
                    empty);
        }
        final RouteOrigin o = win.origin();
        return new RequestExplanation.PortAnswer(binding.address(), binding.port(), http.protocol().name(), gateways,
                status, outcome, listener, listeners, vhost, vhosts, new RequestExplanation.Winner(route(o), rule(o),
                        o.ruleIndex(), o.matchIndex(), CompiledMatch.describe(win.match())), entries, filters, backends);
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
            if (!b.valid()) {
                invalid += share;
            } else if (b.endpoints().isEmpty()) {
                empty += share;
            } else {
                ok += share;
            }
            backends.add(new RequestExplanation.Backend(b.origin().toString(), b.origin().namespace(),
                    b.origin().name(), b.origin().port(), b.weight(), String.format(Locale.ROOT, "%.1f%%", share),
                    b.valid(), b.invalidReason(), b.endpoints().size(),
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

    /** Which HTTPRoute precedence step (HTTPRouteRule.matches) puts {@code winner} before {@code loser}. */
    static String decidingStep(ResourceView view, HttpRouteEntry winner, HttpRouteEntry loser) {
        final HttpRequestMatch w = winner.match();
        final HttpRequestMatch l = loser.match();
        if (w.path().type() != l.path().type()) {
            return "path match type " + type(w.path().type()) + " beats " + type(l.path().type());
        }
        if (w.path().value().length() != l.path().value().length()) {
            return "longer path " + w.path().value() + " beats " + l.path().value();
        }
        if ((w.method() == null) != (l.method() == null)) {
            return "a method match beats none";
        }
        if (w.headers().size() != l.headers().size()) {
            return "more header matches (" + w.headers().size() + " vs " + l.headers().size() + ")";
        }
        if (w.queryParams().size() != l.queryParams().size()) {
            return "more query param matches (" + w.queryParams().size() + " vs " + l.queryParams().size() + ")";
        }
        final RouteOrigin wo = winner.origin();
        final RouteOrigin lo = loser.origin();
        if (!wo.namespace().equals(lo.namespace()) || !wo.name().equals(lo.name())) {
            final String wc = created(view, wo);
            final String lc = created(view, lo);
            if (wc != null && !wc.equals(lc)) {
                return "older route (created " + wc + " vs " + (lc == null ? "unknown" : lc) + ")";
            }
            return "same specificity and age: " + wo.namespace() + "/" + wo.name() + " comes first alphabetically";
        }
        if (wo.ruleIndex() != lo.ruleIndex()) {
            return "same route: rule " + wo.ruleIndex() + " comes before rule " + lo.ruleIndex();
        }
        return "same rule: match " + wo.matchIndex() + " comes before match " + lo.matchIndex();
    }

    private static String type(PathMatch.Type t) {
        return switch (t) {
            case EXACT -> "Exact";
            case PATH_PREFIX -> "PathPrefix";
            case REGULAR_EXPRESSION -> "RegularExpression";
        };
    }

    private static String created(ResourceView view, RouteOrigin o) {
        for (HTTPRoute r : view.httpRoutes()) {
            if (o.name().equals(r.getMetadata().getName()) && o.namespace().equals(r.getMetadata().getNamespace())) {
                final String ts = r.getMetadata().getCreationTimestamp();
                return ts == null || ts.isEmpty() ? null : ts;
            }
        }
        return null;
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
