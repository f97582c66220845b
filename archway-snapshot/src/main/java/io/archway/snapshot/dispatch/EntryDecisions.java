package io.archway.snapshot.dispatch;

import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * Every decision one matched entry can lead to, built once when the port compiles (see
 * {@link HttpRouteEntry} for the rules): a CORS preflight on a rule with a CORS filter is answered
 * by the gateway first; then the rule's RequestRedirect answers before any backend is
 * picked; no backends or only zero weights answer 500; otherwise the chooser picks a backend, and
 * that backend's decision is, in order, 500 when it is invalid, its own RequestRedirect
 * (HTTPBackendRef.filters), 503 without endpoints, else proxy with the rule's filters then its own.
 */
final class EntryDecisions<R> {
    final R route;
    final BackendWeights weights;
    /** The decision that does not depend on the pick (a rule redirect, no backend), or null. */
    private final RouteDecision<R> fixed;
    /** The answer to a CORS preflight when the rule has a CORS filter, else null. */
    private final RouteDecision.CorsPreflight<R> preflight;
    private final RouteDecision<R>[] byBackend;

    @SuppressWarnings("unchecked")
    EntryDecisions(HttpRouteEntry entry, R route, CompiledMatch match, String scheme, int listenerPort) {
        this.route = route;
        final List<WeightedBackend> backends = entry.backends();
        this.weights = new BackendWeights(backends);
        this.byBackend = new RouteDecision[backends.size()];
        final HttpFilter.Cors cors = firstCors(entry.filters());
        this.preflight = cors == null ? null : new RouteDecision.CorsPreflight<>(route, entry, new CorsFilter(cors));
        final HttpFilter.RequestRedirect ruleRedirect = firstRedirect(entry.filters());
        if (ruleRedirect != null) {
            fixed = new RouteDecision.Redirect<>(route, entry, -1, ruleRedirect, scheme, listenerPort,
                    match.matchedPrefix());
        } else if (weights.total() == 0) {
            fixed = new RouteDecision.NoBackend<>(route, entry, backends.isEmpty()
                    ? RouteDecision.NoBackendReason.NO_BACKEND_REFS : RouteDecision.NoBackendReason.ALL_WEIGHTS_ZERO);
        } else {
            fixed = null;
        }
        for (int i = 0; i < byBackend.length; i++) {
            final WeightedBackend b = backends.get(i);
            final HttpFilter.RequestRedirect redirect = firstRedirect(b.filters());
            if (b.unservableReason() != null) {
                byBackend[i] = new RouteDecision.InvalidBackend<>(route, entry, i);
            } else if (redirect != null) {
                byBackend[i] = new RouteDecision.Redirect<>(route, entry, i, redirect, scheme, listenerPort,
                        match.matchedPrefix());
            } else if (b.endpoints().isEmpty()) {
                byBackend[i] = new RouteDecision.NoEndpoints<>(route, entry, i);
            } else {
                final List<HttpFilter> filters = new ArrayList<>(entry.filters());
                filters.addAll(b.filters());
                byBackend[i] = new RouteDecision.Proxy<>(route, entry, i, filters);
            }
        }
    }

    /** The decision, asking {@code chooser} for a backend when it depends on one. */
    RouteDecision<R> decide(RequestFacts request, BackendChooser chooser) {
        final RouteDecision<R> pre = preflight(request);
        if (pre != null) {
            return pre;
        }
        return fixed != null ? fixed : byBackend[chooser.choose(weights)];
    }

    /** The gateway's answer when {@code request} is a CORS preflight and the rule has a CORS filter, else null. */
    RouteDecision<R> preflight(RequestFacts request) {
        return preflight != null && CorsFilter.isPreflight(request) ? preflight : null;
    }

    /** Whether the decision depends on the backend picked (once {@link #preflight} said no). */
    boolean weighted() {
        return fixed == null;
    }

    private static HttpFilter.Cors firstCors(List<HttpFilter> filters) {
        for (HttpFilter f : filters) {
            if (f instanceof HttpFilter.Cors c) {
                return c;
            }
        }
        return null;
    }

    private static HttpFilter.RequestRedirect firstRedirect(List<HttpFilter> filters) {
        for (HttpFilter f : filters) {
            if (f instanceof HttpFilter.RequestRedirect r) {
                return r;
            }
        }
        return null;
    }
}
