package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.RouteOrigin;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * What routing decided for one proxied request, fixed before the exchange starts.
 *
 * @param route the route entry that matched, for metrics and the access log
 * @param backend the backendRef picked, for metrics and the access log
 * @param request the request as received (method, host, path for the access log)
 * @param startNanos System.nanoTime() when the request's headers arrived
 * @param address the picked endpoint
 * @param upstreamRequest the request line and headers to send upstream
 * @param responseEdits ResponseHeaderModifier edits, rule then backendRef
 * @param downstreamKeepAlive whether the client wants the connection kept open
 * @param http10Client whether the client spoke HTTP/1.0 (no chunked responses)
 * @param retryable whether the request may be re-sent once on a fresh connection (no body)
 * @param websocketUpgrade whether a 101 from the backend may turn the connection into a tunnel
 * @param h2cBackend whether the backend speaks HTTP/2 with prior knowledge
 */
record ExchangeSpec(RouteOrigin route, BackendOrigin backend, RequestView request, long startNanos,
                    UpstreamAddress address, HttpRequest upstreamRequest,
                    List<HeaderEdits> responseEdits, boolean downstreamKeepAlive, boolean http10Client,
                    boolean retryable, boolean websocketUpgrade, boolean h2cBackend) {
}
