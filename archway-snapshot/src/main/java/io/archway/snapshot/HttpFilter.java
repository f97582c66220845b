package io.archway.snapshot;

import java.util.Objects;

/** An HTTPRouteFilter the data plane applies. */
public sealed interface HttpFilter {

    /** RequestHeaderModifier: edits the request before it goes upstream. */
    record RequestHeaderModifier(HeaderEdits edits) implements HttpFilter {
        public RequestHeaderModifier {
            Objects.requireNonNull(edits, "edits");
        }
    }

    /** ResponseHeaderModifier: edits the response before it goes downstream. */
    record ResponseHeaderModifier(HeaderEdits edits) implements HttpFilter {
        public ResponseHeaderModifier {
            Objects.requireNonNull(edits, "edits");
        }
    }

    /**
     * RequestRedirect. Each null field keeps the request's value, except {@code port}: when null,
     * the port is the well-known port of {@code scheme} if a scheme is set, else the listener port
     * (HTTPRequestRedirectFilter.port); a well-known port is left out of Location.
     *
     * @param statusCode 301, 302 (the spec default), 303, 307 or 308
     */
    record RequestRedirect(String scheme, String hostname, PathModifier path, Integer port, int statusCode)
            implements HttpFilter {
    }

    /**
     * RequestMirror: a copy of the request, body included, goes to one endpoint of {@code backend}
     * for {@code numerator}/{@code denominator} of the requests (HTTPRequestMirrorFilter: percent
     * is n/100, neither set is 100 %). Fire and forget: the mirror's answer is discarded. The
     * translator drops a mirror whose backendRef does not resolve, so {@code backend} is valid.
     */
    record RequestMirror(WeightedBackend backend, int numerator, int denominator) implements HttpFilter {
        public RequestMirror {
            Objects.requireNonNull(backend, "backend");
            if (denominator < 1 || numerator < 0 || numerator > denominator) {
                throw new IllegalArgumentException("mirror fraction must be within 0..1: " + numerator + "/" + denominator);
            }
        }
    }

    /** URLRewrite: rewrites host and/or path before the request goes upstream; null keeps it. */
    record UrlRewrite(String hostname, PathModifier path) implements HttpFilter {
    }
}
