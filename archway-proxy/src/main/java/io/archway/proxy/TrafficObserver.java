package io.archway.proxy;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;

/**
 * Where the data plane reports its traffic: a metrics adapter (archway-server's
 * {@code MicrometerTrafficMetrics}) implements it; the proxy itself stays free of metrics
 * libraries. Pass one to {@link DataPlane#DataPlane(ProxyConfig, TrafficObserver)}.
 *
 * <p>Every method is called on an event loop, once per event, with no allocation by the caller
 * beyond the arguments (which are the snapshot's own records). Implementations must be
 * thread-safe (there are several event loops), cheap, must never block and must never throw.
 */
public interface TrafficObserver {
    /** Observes nothing. */
    TrafficObserver NOOP = new TrafficObserver() {
    };

    /**
     * One request finished: its response's last byte was written (or the request ended without a
     * complete response: client gone, upstream failure after the response started).
     *
     * @param route the route entry that served it; null when no route matched (404, 421, and
     *     requests rejected before routing: 400, 414, 431, 501, 405)
     * @param backend the backend picked; null when none was (no route, a redirect, a rule with no
     *     backend or only zero weights). Local answers for a picked backend (500 invalid backend,
     *     503 no endpoints or connection refused, 504, 502) are attributed to it.
     * @param status the status sent downstream; 499 when the client closed the connection
     *     before a response started
     * @param durationNanos from the request's headers arriving to its last response byte written
     */
    default void requestCompleted(RouteOrigin route, BackendOrigin backend, int status, long durationNanos) {
    }

    /**
     * A gRPC call finished, reported right after its {@link #requestCompleted} (same route and
     * backend): its gRPC status code (0 OK .. 16 UNAUTHENTICATED), from the backend's trailers (or
     * its Trailers-Only response), or the one the proxy answered itself. Calls that ended without
     * a status (the client went away, the backend reset the stream mid-response) are not reported.
     */
    default void grpcCallCompleted(RouteOrigin route, BackendOrigin backend, int grpcStatus) {
    }

    /** A connection to an endpoint of {@code backend} failed (refused, connect timeout, unreachable). */
    default void upstreamConnectError(BackendOrigin backend) {
    }

    /**
     * An upstream of {@code backend} timed out during a request: silent for the idle timeout, or
     * past the route's backendRequest or request timeout (answered 504 before the response
     * started, aborted after). A retry after a backendRequest timeout counts here and as a retry.
     */
    default void upstreamTimeout(BackendOrigin backend) {
    }

    /**
     * A request to {@code backend} is tried again under its route's retry policy (a retryable
     * status, a connection error or a backendRequest timeout); once per retry.
     */
    default void upstreamRetry(BackendOrigin backend) {
    }

    /**
     * A RequestMirror copy to {@code mirror} was dropped because it could not keep up (its body
     * backlog passed the bound while connecting or behind a slow backend).
     */
    default void mirrorDropped(BackendOrigin mirror) {
    }

    /** A downstream connection was accepted on a listener port (the snapshot's spec port). */
    default void connectionOpened(int listenerPort) {
    }

    /** A downstream connection of that listener port closed. */
    default void connectionClosed(int listenerPort) {
    }

    /** An HTTP/2 stream opened on a downstream connection of that listener port. */
    default void streamOpened(int listenerPort) {
    }

    /** An HTTP/2 stream of that listener port closed. */
    default void streamClosed(int listenerPort) {
    }

    /**
     * A connection was accepted on a TCP listener (TCPRoute), after {@link #connectionOpened}.
     *
     * @param route the route it will be forwarded by; null when the listener has none (the
     *     connection is closed at once)
     */
    default void tcpConnectionOpened(RouteOrigin route) {
    }

    /**
     * A TCP connection of a TCP listener closed (both sides).
     *
     * @param route as given to {@link #tcpConnectionOpened}
     * @param backend the backend it was forwarded to, or whose endpoint refused it (also reported
     *     by {@link #upstreamConnectError}); null when none was picked or usable (no route, only
     *     zero weights, an invalid backend or one without endpoints)
     * @param bytesFromClient bytes forwarded from the client to the backend
     * @param bytesToClient bytes forwarded from the backend to the client
     * @param durationNanos from accept to close
     */
    default void tcpConnectionClosed(RouteOrigin route, BackendOrigin backend, long bytesFromClient,
                                     long bytesToClient, long durationNanos) {
    }

    /**
     * A connection of a TLS socket (TLSRoute, Passthrough or Terminate) was closed before it was
     * forwarded: its first bytes were no TLS ClientHello, or named no server, or a server no
     * listener and route serve, or the ClientHello was too large or too slow, or the Terminate
     * listener chosen has no certificate, or its handshake failed, timed out or was abandoned. A connection that is forwarded
     * is reported as a TCP connection instead ({@link #tcpConnectionOpened}, with the TLSRoute).
     *
     * @param listenerPort the snapshot's spec port
     */
    default void tlsPassthroughRejected(int listenerPort, TlsRejection reason) {
    }

    /** Why a TLS passthrough listener closed a connection without forwarding it. */
    enum TlsRejection {
        /** The first bytes are not a TLS ClientHello (plain text, another record type, a malformed record). */
        NOT_TLS,
        /** A ClientHello without a server name (SNI). */
        NO_SNI,
        /** A server name no listener hostname and route hostname of the port match (or not a valid hostname). */
        UNKNOWN_SNI,
        /** The ClientHello is longer than the data plane reads (16 KiB). */
        TOO_LARGE,
        /** The ClientHello (or a Terminate listener's whole handshake) did not arrive within the read timeout (10 s). */
        TIMEOUT,
        /** The client closed (or half-closed, or reset) the connection before its ClientHello (or a Terminate handshake) was complete. */
        CLIENT_CLOSED,
        /** The server name picks a Terminate listener that has no valid certificate to present. */
        NO_CERTIFICATE,
        /** The TLS handshake with a Terminate listener failed (no common version or cipher, a bad record...). */
        HANDSHAKE_FAILED
    }

    /** A UDP session (a new client address and port on a UDP listener) started, forwarded to {@code backend}. */
    default void udpSessionOpened(RouteOrigin route, BackendOrigin backend) {
    }

    /**
     * A UDP session ended: idle expiry, eviction, or its port closing.
     *
     * @param bytesFromClient datagram payload bytes forwarded to the backend
     * @param bytesToClient datagram payload bytes forwarded back to the client
     * @param durationNanos from its first datagram to its end
     */
    default void udpSessionClosed(RouteOrigin route, BackendOrigin backend, long bytesFromClient, long bytesToClient,
                                  long durationNanos) {
    }

    /**
     * A UDP session was evicted, before its idle expiry, to make room for a new client: the port
     * held {@link ProxyConfig#udpMaxSessions()} sessions. Followed by {@link #udpSessionClosed}.
     */
    default void udpSessionEvicted(RouteOrigin route) {
    }

    /**
     * A datagram of a UDP listener was dropped: no route, no usable backend, the port draining
     * (new clients), or a socket not keeping up.
     */
    default void udpDatagramDropped(int listenerPort) {
    }
}
