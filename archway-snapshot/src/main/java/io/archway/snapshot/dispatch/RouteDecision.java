package io.archway.snapshot.dispatch;

import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.WeightedBackend;
import java.util.List;

/**
 * What the gateway does with one HTTP request: the answer of {@link CompiledPort#decide}, which
 * the data plane serves and {@code archway explain request} reports. The records are built once
 * per entry when the port compiles; deciding allocates nothing.
 *
 * @param <R> the value the port's entry factory made for the entry (the data plane's own state)
 */
public sealed interface RouteDecision<R> {
    /** The status the gateway answers with; 200 stands for "proxied" (the backend's status). */
    int status();

    /** The kind of answer, for explain and the agreement check. */
    Kind kind();

    /** The kinds of answer. */
    enum Kind { NOT_FOUND, MISDIRECTED, CORS_PREFLIGHT, REDIRECT, NO_BACKEND, INVALID_BACKEND, NO_ENDPOINTS, PROXY }

    @SuppressWarnings("unchecked")
    static <R> NotFound<R> notFound() {
        return (NotFound<R>) NotFound.INSTANCE;
    }

    @SuppressWarnings("unchecked")
    static <R> Misdirected<R> misdirected() {
        return (Misdirected<R>) Misdirected.INSTANCE;
    }

    /** No listener, virtual host or entry matches (404). */
    record NotFound<R>() implements RouteDecision<R> {
        private static final NotFound<?> INSTANCE = new NotFound<>();

        @Override
        public int status() {
            return 404;
        }

        @Override
        public Kind kind() {
            return Kind.NOT_FOUND;
        }
    }

    /**
     * HTTPS: the Host selects another listener than the connection's SNI name did (421, RFC 9110
     * section 15.5.20; Gateway API GatewayHTTPSListenerDetectMisdirectedRequests).
     */
    record Misdirected<R>() implements RouteDecision<R> {
        private static final Misdirected<?> INSTANCE = new Misdirected<>();

        @Override
        public int status() {
            return 421;
        }

        @Override
        public Kind kind() {
            return Kind.MISDIRECTED;
        }
    }

    /** A decision taken for a matched entry. */
    sealed interface Routed<R> extends RouteDecision<R> {
        /** The port's value for the entry. */
        R route();

        HttpRouteEntry entry();

        /** Index of the backend in {@code entry().backends()}, or -1 when none was picked. */
        int backendIndex();

        /** The picked backend, or null. */
        default WeightedBackend backend() {
            return backendIndex() < 0 ? null : entry().backends().get(backendIndex());
        }
    }

    /**
     * A CORS preflight on a rule with a CORS filter (HTTPCORSFilter): the gateway answers it
     * ({@link CorsFilter#PREFLIGHT_STATUS}) before any redirect or backend pick; it never reaches a
     * backend.
     */
    record CorsPreflight<R>(R route, HttpRouteEntry entry, CorsFilter cors) implements Routed<R> {
        @Override
        public int backendIndex() {
            return -1;
        }

        @Override
        public int status() {
            return CorsFilter.PREFLIGHT_STATUS;
        }

        @Override
        public Kind kind() {
            return Kind.CORS_PREFLIGHT;
        }

        /** The answer's headers: the CORS ones when the Origin is allowed, none otherwise. */
        public List<io.archway.snapshot.Header> headers(RequestFacts request) {
            return cors.preflightHeaders(request);
        }
    }

    /**
     * A RequestRedirect answers: the rule's ({@code backendIndex} -1), or the picked backendRef's.
     *
     * @param scheme the listener's scheme, {@code http} or {@code https}
     * @param listenerPort the Gateway listener port as written in the spec
     * @param matchedPrefix the entry's PathPrefix without trailing slash (ReplacePrefixMatch), or null
     */
    record Redirect<R>(R route, HttpRouteEntry entry, int backendIndex, HttpFilter.RequestRedirect redirect,
                       String scheme, int listenerPort, String matchedPrefix) implements Routed<R> {
        @Override
        public int status() {
            return RedirectLocation.statusCode(redirect);
        }

        @Override
        public Kind kind() {
            return Kind.REDIRECT;
        }

        /** The Location for {@code request}. */
        public String location(RequestFacts request) {
            return RedirectLocation.of(redirect, request, scheme, listenerPort, matchedPrefix);
        }
    }

    /** Why no backend could be picked. */
    enum NoBackendReason { NO_BACKEND_REFS, ALL_WEIGHTS_ZERO }

    /** The rule has no backendRefs, or every weight is 0: 500 (HTTPRouteRule.backendRefs). */
    record NoBackend<R>(R route, HttpRouteEntry entry, NoBackendReason reason) implements Routed<R> {
        @Override
        public int backendIndex() {
            return -1;
        }

        @Override
        public int status() {
            return 500;
        }

        @Override
        public Kind kind() {
            return Kind.NO_BACKEND;
        }
    }

    /**
     * The picked backendRef did not resolve, or its BackendTLSPolicy has no valid CA certificate
     * ({@link WeightedBackend#unservableReason()}): its share of the traffic is answered with 500
     * (HTTPRouteRule.backendRefs; BackendTLSPolicyValidation.caCertificateRefs).
     */
    record InvalidBackend<R>(R route, HttpRouteEntry entry, int backendIndex) implements Routed<R> {
        @Override
        public int status() {
            return 500;
        }

        @Override
        public Kind kind() {
            return Kind.INVALID_BACKEND;
        }
    }

    /** The picked backend has no ready endpoint: 503. */
    record NoEndpoints<R>(R route, HttpRouteEntry entry, int backendIndex) implements Routed<R> {
        @Override
        public int status() {
            return 503;
        }

        @Override
        public Kind kind() {
            return Kind.NO_ENDPOINTS;
        }
    }

    /**
     * Proxy to the picked backend.
     *
     * @param filters what applies to the request and response, in order: the rule's filters, then
     *     the backendRef's (HTTPBackendRef.filters); never a RequestRedirect
     */
    record Proxy<R>(R route, HttpRouteEntry entry, int backendIndex, List<HttpFilter> filters) implements Routed<R> {
        public Proxy {
            filters = List.copyOf(filters);
        }

        @Override
        public int status() {
            return 200;
        }

        @Override
        public Kind kind() {
            return Kind.PROXY;
        }
    }
}
