package io.archway.proxy.http;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.proxy.balance.WeightedChoice;
import io.archway.snapshot.dispatch.CompiledMatch;
import java.util.ArrayList;
import java.util.List;

/** One route entry ready to serve: its matcher, filters, and a weighted backend picker. */
final class CompiledRoute {
    private final HttpRouteEntry entry;
    private final RequestMatcher matcher;
    private final FilterChain filters;
    private final WeightedChoice<CompiledBackend> backends;
    private final List<CompiledMirror> mirrors;

    CompiledRoute(HttpRouteEntry entry) {
        this(entry, new CompiledMatch(entry.match()));
    }

    /** With the match the shared dispatcher already compiled (regular expressions compiled once). */
    CompiledRoute(HttpRouteEntry entry, CompiledMatch match) {
        this.entry = entry;
        this.matcher = new RequestMatcher(match);
        this.filters = FilterChain.of(entry.filters());
        this.mirrors = CompiledMirror.of(entry.filters());
        final List<CompiledBackend> compiled = new ArrayList<>(entry.backends().size());
        entry.backends().forEach(b -> compiled.add(new CompiledBackend(b)));
        this.backends = new WeightedChoice<>(compiled, b -> b.backend().weight());
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

    /**
     * Picks a backend by weight; a weight of 0 is never picked. Returns null when there are no
     * backends or every weight is 0 (the caller answers 500, HTTPRouteRule.backendRefs).
     */
    CompiledBackend pickBackend() {
        return backends.pick();
    }
}
