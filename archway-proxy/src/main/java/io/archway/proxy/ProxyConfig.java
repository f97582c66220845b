package io.archway.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Data-plane settings that do not come from Gateway API resources.
 *
 * @param portOffset added to every snapshot port when binding (see ServerConfig)
 * @param ioThreads event-loop threads (0 = one per available core)
 * @param maxInitialLineLength longest request line accepted; longer gets 414
 * @param maxHeaderSize total request header bytes accepted; more gets 431
 * @param connectTimeout upstream connect timeout (HTTP and TCP)
 * @param idleTimeout idle HTTP downstream/upstream connections are closed after this; an upstream
 *     that sends nothing for this long during a request gets it answered 504 (or aborted once
 *     the response started)
 * @param drainTimeout how long removed listeners keep serving in-flight requests, open TCP
 *     connections and UDP sessions
 * @param accessLog where the JSON access log goes: null (off), {@code stdout}, {@code stderr} or a
 *     file path (appended to); see {@link io.archway.proxy.http.AccessLog}
 * @param tcpIdleTimeout a proxied TCP connection (TCPRoute) that moves no byte either way for this
 *     long is closed on both sides. Default 1 hour: long enough for pooled database and message
 *     broker connections, which sit idle between queries for minutes, and whose clients send TCP
 *     keep-alives or pings well within an hour; short enough that connections whose peer vanished
 *     without a FIN or RST do not pile up forever
 * @param udpSessionIdleTimeout a UDP session (one client address and port, UDPRoute) that sees no
 *     datagram either way for this long is forgotten and its upstream socket closed. Default
 *     60 seconds (DNS, syslog, game and QUIC-style clients either talk within seconds or start a new
 *     exchange)
 * @param udpMaxSessions the most UDP sessions one UDP port keeps; a new client beyond it evicts
 *     the least recently active session (counted by
 *     {@link TrafficObserver#udpSessionEvicted}). Default 10,000 (each session holds one upstream
 *     socket, i.e. one file descriptor)
 */
public record ProxyConfig(int portOffset, int ioThreads, int maxInitialLineLength, int maxHeaderSize,
                          Duration connectTimeout, Duration idleTimeout, Duration drainTimeout, String accessLog,
                          Duration tcpIdleTimeout, Duration udpSessionIdleTimeout, int udpMaxSessions) {
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_UDP_SESSION_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_UDP_MAX_SESSIONS = 10_000;

    /** With the default L4 settings. */
    public ProxyConfig(int portOffset, int ioThreads, int maxInitialLineLength, int maxHeaderSize,
                       Duration connectTimeout, Duration idleTimeout, Duration drainTimeout, String accessLog) {
        this(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout, drainTimeout,
                accessLog, DEFAULT_TCP_IDLE_TIMEOUT, DEFAULT_UDP_SESSION_IDLE_TIMEOUT, DEFAULT_UDP_MAX_SESSIONS);
    }

    /** Without an access log, with the default L4 settings. */
    public ProxyConfig(int portOffset, int ioThreads, int maxInitialLineLength, int maxHeaderSize,
                       Duration connectTimeout, Duration idleTimeout, Duration drainTimeout) {
        this(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout, drainTimeout, null);
    }

    public ProxyConfig {
        if (accessLog != null && accessLog.isBlank()) {
            accessLog = null;
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
        Objects.requireNonNull(udpSessionIdleTimeout, "udpSessionIdleTimeout");
        if (ioThreads < 0 || maxInitialLineLength <= 0 || maxHeaderSize <= 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, line and header limits > 0");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()
                || drainTimeout.isNegative() || tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero()
                || udpSessionIdleTimeout.isNegative() || udpSessionIdleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive (drainTimeout may be 0)");
        }
        if (udpMaxSessions <= 0) {
            throw new IllegalArgumentException("udpMaxSessions must be > 0: " + udpMaxSessions);
        }
    }

    public static ProxyConfig defaults() {
        return new ProxyConfig(0, 0, 8192, 16384, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(30));
    }

    public ProxyConfig withPortOffset(int offset) {
        return new ProxyConfig(offset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, accessLog, tcpIdleTimeout, udpSessionIdleTimeout, udpMaxSessions);
    }

    /** @param target {@code stdout}, {@code stderr}, a file path, or null for no access log */
    public ProxyConfig withAccessLog(String target) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, target, tcpIdleTimeout, udpSessionIdleTimeout, udpMaxSessions);
    }

    public ProxyConfig withDrainTimeout(Duration timeout) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                timeout, accessLog, tcpIdleTimeout, udpSessionIdleTimeout, udpMaxSessions);
    }

    public ProxyConfig withConnectTimeout(Duration timeout) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, timeout, idleTimeout,
                drainTimeout, accessLog, tcpIdleTimeout, udpSessionIdleTimeout, udpMaxSessions);
    }

    public ProxyConfig withTcpIdleTimeout(Duration timeout) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, accessLog, timeout, udpSessionIdleTimeout, udpMaxSessions);
    }

    /** @param idle how long a UDP session may go without a datagram either way */
    public ProxyConfig withUdpSessions(Duration idle, int maxSessions) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, accessLog, tcpIdleTimeout, idle, maxSessions);
    }
}
