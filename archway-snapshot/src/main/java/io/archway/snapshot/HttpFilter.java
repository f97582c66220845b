package io.archway.snapshot;

import java.util.List;
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

    /**
     * CORS (HTTPCORSFilter), on a rule: a CORS preflight request is answered by the gateway and
     * never forwarded; other requests from an allowed origin get the CORS response headers.
     * {@link io.archway.snapshot.dispatch.CorsFilter} decides; the lists are as written (a wildcard
     * is the single entry {@code *}).
     *
     * @param allowOrigins CORSOrigin values: {@code *}, or {@code scheme://host[:port]} whose host
     *     may be {@code *} or start with {@code *.}
     * @param allowMethods method names, or {@code *}
     * @param allowHeaders request header names, or {@code *}
     * @param exposeHeaders response header names, or {@code *}
     * @param allowCredentials whether Access-Control-Allow-Credentials: true is sent
     * @param maxAge Access-Control-Max-Age in seconds (the spec default is 5)
     */
    record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
                List<String> exposeHeaders, boolean allowCredentials, int maxAge) implements HttpFilter {
        public Cors {
            allowOrigins = List.copyOf(Objects.requireNonNull(allowOrigins, "allowOrigins"));
            allowMethods = List.copyOf(Objects.requireNonNull(allowMethods, "allowMethods"));
            allowHeaders = List.copyOf(Objects.requireNonNull(allowHeaders, "allowHeaders"));
            exposeHeaders = List.copyOf(Objects.requireNonNull(exposeHeaders, "exposeHeaders"));
        }
    }
}
