/**
 * Routing and proxying of HTTP requests.
 *
 * <p>Starting points: {@link io.archway.proxy.http.RouteIndex} (compiled dispatch of one socket:
 * listener, virtual host, first matching route), {@link io.archway.proxy.http.HttpProxyHandler}
 * (one per HTTP/1.1 connection or HTTP/2 stream: validation, local answers, exchanges; it writes to
 * a {@code Downstream}, the connection or, through {@link io.archway.proxy.http.Http2Streams}, a
 * stream without a channel of its own),
 * {@link io.archway.proxy.http.HttpRouter} (one request after routing: request and backend
 * timeouts, retries, mirrors, the response sent downstream), {@code UpstreamAttempt} (one try on
 * one upstream connection, streaming with backpressure), {@code MirrorRequest} (a bounded,
 * fire-and-forget copy to a RequestMirror backend),
 * {@link io.archway.proxy.http.UpstreamConnectionPool} (keep-alive and h2c connections per event
 * loop).
 *
 * <p>Status codes answered by the proxy itself: 204 a CORS preflight on a rule with a CORS filter
 * ({@link io.archway.snapshot.dispatch.CorsFilter}), 400 malformed or smuggling-prone framing, 414
 * request line too long, 431 headers too large, 501 unsupported transfer coding, 404 no listener,
 * virtual host or route, 421 the Host selects another HTTPS listener than the SNI name, 500 no
 * usable backend (none, all weights 0, or invalid), 503 no endpoints or connection refused, 504
 * upstream connect timeout, silence for the idle timeout, or the route's request or
 * backendRequest timeout, 502 upstream reset or closed before the response (a request without
 * body on a reused connection is retried once first; a route's retry policy retries more). A gRPC
 * call gets each of these as a Trailers-Only gRPC response with the matching grpc-status
 * ({@code GrpcStatus}).
 */
package io.archway.proxy.http;
