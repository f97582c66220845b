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
 * @param connectTimeout upstream connect timeout
 * @param idleTimeout idle downstream/upstream connections are closed after this; an upstream
 *     that sends nothing for this long during a request gets it answered 504 (or aborted once
 *     the response started)
 * @param drainTimeout how long removed listeners keep serving in-flight requests
 * @param accessLog where the JSON access log goes: null (off), {@code stdout}, {@code stderr} or a
 *     file path (appended to); see {@link io.archway.proxy.http.AccessLog}
 */
public record ProxyConfig(int portOffset, int ioThreads, int maxInitialLineLength, int maxHeaderSize,
                          Duration connectTimeout, Duration idleTimeout, Duration drainTimeout, String accessLog) {
    /** Without an access log. */
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
        if (ioThreads < 0 || maxInitialLineLength <= 0 || maxHeaderSize <= 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, line and header limits > 0");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()
                || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive (drainTimeout may be 0)");
        }
    }

    public static ProxyConfig defaults() {
        return new ProxyConfig(0, 0, 8192, 16384, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(30));
    }

    public ProxyConfig withPortOffset(int offset) {
        return new ProxyConfig(offset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, accessLog);
    }

    /** @param target {@code stdout}, {@code stderr}, a file path, or null for no access log */
    public ProxyConfig withAccessLog(String target) {
        return new ProxyConfig(portOffset, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout, idleTimeout,
                drainTimeout, target);
    }
}
