package io.archway.proxy.http;

import io.archway.proxy.TrafficObserver;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * What the request path reports to: the {@link TrafficObserver} (metrics) and, when enabled, the
 * {@link AccessLog}. Immutable, shared by every connection of a data plane.
 */
public final class Telemetry {
    /** Reports nowhere. */
    public static final Telemetry NONE = new Telemetry(TrafficObserver.NOOP, null);

    private final TrafficObserver observer;
    private final AccessLog accessLog;
    private final boolean enabled;

    /** @param accessLog null: no access log */
    public Telemetry(TrafficObserver observer, AccessLog accessLog) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.accessLog = accessLog;
        this.enabled = observer != TrafficObserver.NOOP || accessLog != null;
    }

    public TrafficObserver observer() {
        return observer;
    }

    /** Whether finished requests are reported at all (else callers skip the bookkeeping). */
    boolean enabled() {
        return enabled;
    }

    /**
     * Whether the times of a request's steps (connected, first byte) are reported: only the access
     * log has them, so without it the request path reads the clock twice less per request.
     */
    boolean timesSteps() {
        return accessLog != null;
    }

    /**
     * One request finished; called on the event loop once its last byte was written (or it ended
     * without a complete response).
     *
     * @param startNanos System.nanoTime() when its headers arrived
     * @param connectedNanos / firstByteNanos System.nanoTime() of those steps, 0 when never reached
     * @param grpcStatus a gRPC call's status code, {@link GrpcStatus#NONE} for a call without one,
     *     {@link GrpcStatus#NOT_GRPC} for any other request
     */
    void completed(Downstream downstream, boolean http10, long startNanos, String method, String host, String path, RouteOrigin route,
                   BackendOrigin backend, UpstreamAddress endpoint, int status, long bytes, long connectedNanos,
                   long firstByteNanos, String outcome, int grpcStatus) {
        final long duration = System.nanoTime() - startNanos;
        try {
            observer.requestCompleted(route, backend, status, duration);
            if (grpcStatus >= 0) {
                observer.grpcCallCompleted(route, backend, grpcStatus);
            }
        } catch (RuntimeException ignored) {
            // an observer must not break the data plane
        }
        if (accessLog != null) {
            accessLog.offer(new AccessLogEntry(System.currentTimeMillis(), downstream.remoteAddress(),
                    downstream.protocol(http10), method, host, path, status, bytes,
                    duration, route, backend, endpoint, connectedNanos == 0 ? -1 : connectedNanos - startNanos,
                    firstByteNanos == 0 ? -1 : firstByteNanos - startNanos, outcome, grpcStatus));
        }
    }

    /**
     * One TCP connection, UDP session or TLS passthrough connection ended: its access-log line
     * (the {@link TrafficObserver} hears of it from the L4 proxies directly). Call on its event loop.
     *
     * @param transport {@code tcp}, {@code udp} or {@code tls}
     * @param endpoint the endpoint connected to (or tried), or null
     * @param sni TLS passthrough: the server name; else null
     */
    public void l4Finished(SocketAddress client, int listenerPort, String transport, RouteOrigin route,
                           BackendOrigin backend, SocketAddress endpoint, long bytesFromClient, long bytesToClient,
                           long durationNanos, String sni) {
        if (accessLog != null) {
            accessLog.offer(new L4AccessLogEntry(System.currentTimeMillis(), client, listenerPort, transport, route,
                    backend, endpoint, bytesFromClient, bytesToClient, durationNanos, sni));
        }
    }

    void upstreamConnectError(BackendOrigin backend) {
        try {
            observer.upstreamConnectError(backend);
        } catch (RuntimeException ignored) {
            // never break the data plane
        }
    }

    void upstreamRetry(BackendOrigin backend) {
        try {
            observer.upstreamRetry(backend);
        } catch (RuntimeException ignored) {
            // never break the data plane
        }
    }

    void mirrorDropped(BackendOrigin mirror) {
        try {
            observer.mirrorDropped(mirror);
        } catch (RuntimeException ignored) {
            // never break the data plane
        }
    }

    void upstreamTimeout(BackendOrigin backend) {
        try {
            observer.upstreamTimeout(backend);
        } catch (RuntimeException ignored) {
            // never break the data plane
        }
    }
}
