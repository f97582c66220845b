package io.archway.proxy.http;

import io.archway.snapshot.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A RequestMirror filter ready to serve: its backend (round-robin endpoints) and the share of
 * requests it copies, sampled per request.
 */
final class CompiledMirror {
    private final CompiledBackend backend;
    private final int numerator;
    private final int denominator;

    private CompiledMirror(HttpFilter.RequestMirror mirror) {
        this.backend = new CompiledBackend(mirror.backend());
        this.numerator = mirror.numerator();
        this.denominator = mirror.denominator();
    }

    /** The RequestMirror filters of {@code filters}, in order; an empty list when there are none. */
    static List<CompiledMirror> of(List<HttpFilter> filters) {
        List<CompiledMirror> out = null;
        for (HttpFilter f : filters) {
            if (f instanceof HttpFilter.RequestMirror m) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(new CompiledMirror(m));
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }

    CompiledBackend backend() {
        return backend;
    }

    /**
     * Whether this request is mirrored: each request independently, with probability
     * numerator/denominator (the conformance test counts them as a binomial sample).
     */
    boolean sample() {
        return numerator == denominator || numerator > 0 && ThreadLocalRandom.current().nextInt(denominator) < numerator;
    }
}
