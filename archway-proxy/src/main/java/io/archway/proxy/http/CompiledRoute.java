package io.archway.proxy.http;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.dispatch.CompiledMatch;
import java.util.List;

/**
 * One route entry ready to serve: its matcher, filters, and its backends compiled in the order of
 * {@link HttpRouteEntry#backends()} (a decision names the picked one by index).
 */
final class CompiledRoute {
    private final HttpRouteEntry entry;
    private final RequestMatcher matcher;
    private final FilterChain filters;
    private final CompiledBackend[] backends;
    private final List<CompiledMirror> mirrors;

    /** With the match the shared dispatcher already compiled (regular expressions compiled once). */
    CompiledRoute(HttpRouteEntry entry, CompiledMatch match) {
        this.entry = entry;
        this.matcher = new RequestMatcher(match);
        this.filters = FilterChain.of(entry.filters());
        this.mirrors = CompiledMirror.of(entry.filters());
        this.backends = new CompiledBackend[entry.backends().size()];
        for (int i = 0; i < backends.length; i++) {
            backends[i] = new CompiledBackend(entry.backends().get(i));
        }
    }

    HttpRouteEntry entry() {
        return entry;
    }

    RequestMatcher matcher() {
        return matcher;
    }

    FilterChain filters() {
        return filters;
    }

    /** The rule's RequestMirror filters (a picked backend's own come after). */
    List<CompiledMirror> mirrors() {
        return mirrors;
    }

    /** The backend a decision picked ({@link io.archway.snapshot.dispatch.RouteDecision.Routed#backendIndex()}). */
    CompiledBackend backend(int index) {
        return backends[index];
    }
}
