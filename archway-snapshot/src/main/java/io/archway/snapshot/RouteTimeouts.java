package io.archway.snapshot;

import java.time.Duration;

/**
 * HTTPRouteRule.timeouts. A null field is unset (the data plane's defaults apply); a zero
 * duration disables that timeout ("Setting a timeout to the zero duration (e.g. "0s") SHOULD
 * disable the timeout completely").
 *
 * @param request the whole transaction: past it the gateway answers 504, whatever attempt runs
 * @param backendRequest one request from the gateway to a backend, from its first byte sent to
 *     its response's last byte received; each retry attempt gets its own
 */
public record RouteTimeouts(Duration request, Duration backendRequest) {
    /** No timeouts configured. */
    public static final RouteTimeouts NONE = new RouteTimeouts(null, null);

    public RouteTimeouts {
        if (request != null && request.isNegative() || backendRequest != null && backendRequest.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    /** Whether {@code d} is a configured, non-zero (enabled) timeout. */
    public static boolean enabled(Duration d) {
        return d != null && !d.isZero();
    }
}
