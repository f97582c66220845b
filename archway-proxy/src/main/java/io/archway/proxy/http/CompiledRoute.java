package io.archway.proxy.http;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.dispatch.CompiledMatch;
import java.util.concurrent.ThreadLocalRandom;

/** One route entry ready to serve: its matcher, filters, and a weighted backend picker. */
final class CompiledRoute {
    private final HttpRouteEntry entry;
    private final RequestMatcher matcher;
    private final FilterChain filters;
    private final CompiledBackend[] backends;
    /** Cumulative weights: backend i is picked for r in [cumulative[i-1], cumulative[i]). */
    private final int[] cumulative;
    private final int totalWeight;

    CompiledRoute(HttpRouteEntry entry) {
        this(entry, new CompiledMatch(entry.match()));
    }

    /** With the match the shared dispatcher already compiled (regular expressions compiled once). */
    CompiledRoute(HttpRouteEntry entry, CompiledMatch match) {
        this.entry = entry;
        this.matcher = new RequestMatcher(match);
        this.filters = FilterChain.of(entry.filters());
        this.backends = new CompiledBackend[entry.backends().size()];
        this.cumulative = new int[backends.length];
        long total = 0;
        for (int i = 0; i < backends.length; i++) {
            backends[i] = new CompiledBackend(entry.backends().get(i));
            total += entry.backends().get(i).weight();
            cumulative[i] = (int) Math.min(total, Integer.MAX_VALUE);
        }
        this.totalWeight = (int) Math.min(total, Integer.MAX_VALUE);
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

    /**
     * Picks a backend by weight; a weight of 0 is never picked. Returns null when there are no
     * backends or every weight is 0 (the caller answers 500, HTTPRouteRule.backendRefs).
     */
    CompiledBackend pickBackend() {
        if (totalWeight <= 0) {
            return null;
        }
        final int r = ThreadLocalRandom.current().nextInt(totalWeight);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return backends[i];
            }
        }
        return backends[backends.length - 1];
    }
}
