package io.archway.proxy.http;

import io.archway.snapshot.RouteOrigin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on logger {@code io.archway.proxy.access} at DEBUG, with a timeline in the
 * style of Zuul's passport: routed, upstream connected, first response byte, completed. Nothing
 * is formatted unless the logger is enabled.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.archway.proxy.access");

    private AccessLog() {
    }

    static boolean enabled() {
        return LOG.isDebugEnabled();
    }

    /** A request answered by the proxy itself. */
    static void local(String method, String uri, String host, int status, RouteOrigin route) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} host={} status={} route=[{}] local", method, uri, host, status, route);
        }
    }

    /**
     * A proxied request; times in microseconds since its headers arrived, -1 when the step never
     * happened.
     */
    static void proxied(ExchangeSpec spec, int status, String outcome, long connectedMicros, long firstByteMicros,
                        long totalMicros) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} status={} route=[{}] upstream={} {} connected={}us firstByte={}us total={}us",
                    spec.upstreamRequest().method(), spec.upstreamRequest().uri(), status, spec.route(),
                    spec.address(), outcome, connectedMicros, firstByteMicros, totalMicros);
        }
    }
}
