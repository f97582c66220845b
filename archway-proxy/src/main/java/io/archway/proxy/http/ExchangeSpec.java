package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.RetryPolicy;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RouteTimeouts;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * What routing decided for one proxied request, fixed before the {@link HttpRouter} starts.
 *
 * @param route the route entry that matched, for metrics and the access log
 * @param backend the backendRef picked (its endpoints serve retries; its origin names it in
 *     metrics and the access log; its RequestMirror filters apply after the rule's)
 * @param request the request as received (method, host, path for the access log)
 * @param startNanos System.nanoTime() when the request's headers arrived
 * @param address the endpoint of the first attempt
 * @param upstreamRequest the request line and headers to send upstream
 * @param responseEdits ResponseHeaderModifier edits, rule then backendRef
 * @param downstreamKeepAlive whether the client wants the connection kept open
 * @param http10Client whether the client spoke HTTP/1.0 (no chunked responses)
 * @param bodyless whether the request has no body (then a stale keep-alive connection is retried
 *     once on a fresh one even without a retry policy)
 * @param websocketUpgrade whether a 101 from the backend may turn the connection into a tunnel
 * @param timeouts the rule's timeouts
 * @param retry the rule's retry policy, or null
 * @param ruleMirrors the rule's RequestMirror filters
 */
record ExchangeSpec(RouteOrigin route, CompiledBackend backend, RequestView request, long startNanos,
                    UpstreamAddress address, HttpRequest upstreamRequest,
                    List<HeaderEdits> responseEdits, boolean downstreamKeepAlive, boolean http10Client,
                    boolean bodyless, boolean websocketUpgrade, RouteTimeouts timeouts, RetryPolicy retry,
                    List<CompiledMirror> ruleMirrors) {

    BackendOrigin backendOrigin() {
        return backend.backend().origin();
    }

    boolean h2cBackend() {
        return backend.protocol() == io.archway.snapshot.AppProtocol.H2C;
    }
}
