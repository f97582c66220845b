package io.archway.snapshot.dispatch;

import io.archway.snapshot.Hostnames;

/**
 * A listener or route hostname with its {@link Hostnames#specificity}: the one most-specific
 * hostname choice of the dispatch package, for HTTP listeners and virtual hosts
 * ({@link CompiledPort}) and TLS listeners and routes ({@link SniDispatch}).
 */
class HostPattern {
    final String pattern;
    final int specificity;

    /** @param pattern {@code foo.example.com}, {@code *.example.com}, {@code *}, or null for any */
    HostPattern(String pattern) {
        this.pattern = pattern;
        this.specificity = Hostnames.specificity(pattern);
    }

    /** What this pattern stands for in a trace. */
    Object value() {
        return pattern;
    }

    /**
     * The index of the candidate matching {@code host} most specifically (exact, then the longest
     * wildcard, then any); the first wins ties; -1 when none matches. Allocates nothing.
     */
    static int mostSpecific(HostPattern[] candidates, String host) {
        int best = -1;
        int bestScore = -1;
        for (int i = 0; i < candidates.length; i++) {
            final HostPattern c = candidates[i];
            if (c.specificity > bestScore && Hostnames.matches(c.pattern, host)) {
                best = i;
                bestScore = c.specificity;
            }
        }
        return best;
    }
}
