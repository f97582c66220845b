package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.net.SocketAddress;

/**
 * One access-log line before formatting: references only, built on the event loop, formatted by
 * the {@link AccessLog} writer thread.
 *
 * @param connectNanos upstream connected, since the request's headers arrived; -1 when never
 * @param firstByteNanos upstream response headers, since the request's headers arrived; -1 when never
 * @param outcome {@code completed}, {@code local} (answered by the proxy), {@code failed} (an
 *     upstream failure answered locally), {@code aborted} (connection closed mid-response),
 *     {@code client-closed}, {@code upgraded} (WebSocket tunnel)
 * @param grpcStatus a gRPC call's status code, {@link GrpcStatus#NONE} when it ended without one,
 *     {@link GrpcStatus#NOT_GRPC} for any other request
 */
record AccessLogEntry(long epochMillis, SocketAddress client, String protocol, String method, String host, String path,
                      int status, long bytes, long durationNanos, RouteOrigin route, BackendOrigin backend,
                      UpstreamAddress endpoint, long connectNanos, long firstByteNanos, String outcome, int grpcStatus)
        implements AccessLogLine {
    /** A request that is not a gRPC call. */
    AccessLogEntry(long epochMillis, SocketAddress client, String protocol, String method, String host, String path,
                   int status, long bytes, long durationNanos, RouteOrigin route, BackendOrigin backend,
                   UpstreamAddress endpoint, long connectNanos, long firstByteNanos, String outcome) {
        this(epochMillis, client, protocol, method, host, path, status, bytes, durationNanos, route, backend, endpoint,
                connectNanos, firstByteNanos, outcome, GrpcStatus.NOT_GRPC);
    }
}
