package io.archway.snapshot.dispatch;

import io.archway.snapshot.Hostnames;

/**
 * A listener or route hostname with its {@link Hostnames#specificity}: the one most-specific
 * hostname choice of the dispatch package ({@link HostIndex}), for HTTP listeners and virtual hosts
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
}
