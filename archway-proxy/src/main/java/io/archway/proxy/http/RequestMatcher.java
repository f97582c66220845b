package io.archway.proxy.http;

import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.dispatch.CompiledMatch;

/**
 * One route entry's conditions: a thin adapter over the shared {@link CompiledMatch} (regular
 * expressions compiled once, at snapshot compile time; matching allocates nothing beyond the query
 * decoding that only routes with query conditions need).
 */
final class RequestMatcher {
    private final CompiledMatch match;

    RequestMatcher(HttpRequestMatch match) {
        this(new CompiledMatch(match));
    }

    RequestMatcher(CompiledMatch match) {
        this.match = match;
    }

    CompiledMatch compiled() {
        return match;
    }

    static String stripTrailingSlashes(String value) {
        return CompiledMatch.stripTrailingSlashes(value);
    }

    /** Whether the route's conditions all hold for this request. */
    boolean matches(RequestView request) {
        return match.matches(request);
    }

    boolean matchesPath(String path) {
        return match.matchesPath(path);
    }

    /** Prefix the route matched, without its trailing slash, for ReplacePrefixMatch. */
    String matchedPrefix() {
        return match.matchedPrefix();
    }
}
