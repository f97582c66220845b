package io.archway.translate.compile;

import io.archway.snapshot.RetryPolicy;
import io.archway.snapshot.RouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * HTTPRouteRule.timeouts and HTTPRouteRule.retry into their snapshot forms, with the checks the
 * CRD's validation would make (standalone mode has no API server to make them).
 */
final class RulePolicyCompiler {
    /**
     * HTTPRouteRetry.attempts when unset ("implementation-specific"): one retry, as Envoy's
     * default {@code num_retries}.
     */
    static final int DEFAULT_RETRY_ATTEMPTS = 1;
    /** HTTPRouteRetry.backoff when unset ("implementation-specific"): Envoy's 25 ms base interval. */
    static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(25);

    private RulePolicyCompiler() {
    }

    static RouteTimeouts timeouts(HTTPRouteTimeouts t) {
        if (t == null) {
            return RouteTimeouts.NONE;
        }
        final Duration request = GatewayDuration.parse("timeouts.request", t.getRequest());
        final Duration backend = GatewayDuration.parse("timeouts.backendRequest", t.getBackendRequest());
        // HTTPRouteTimeouts XValidation: "backendRequest timeout cannot be longer than request
        // timeout" (a zero request timeout is disabled, so any backendRequest fits under it).
        if (request != null && backend != null && !request.isZero() && backend.compareTo(request) > 0) {
            throw new UnsupportedValueException("timeouts.backendRequest (" + t.getBackendRequest()
                    + ") cannot be longer than timeouts.request (" + t.getRequest() + ")");
        }
        return new RouteTimeouts(request, backend);
    }

    /** The retry policy, or null when the rule has none. */
    static RetryPolicy retry(HTTPRouteRetry r) {
        if (r == null) {
            return null;
        }
        final TreeSet<Integer> codes = new TreeSet<>();
        if (r.getCodes() != null) {
            for (Integer code : r.getCodes()) {
                // HTTPRouteRetryStatusCode: Minimum 400, Maximum 599.
                if (code == null || code < 400 || code > 599) {
                    throw new UnsupportedValueException("retry.codes: " + code + " is not a status code in 400-599");
                }
                codes.add(code);
            }
        }
        // HTTPRouteRetry.attempts: Minimum 1 in the CRD.
        if (r.getAttempts() != null && r.getAttempts() < 1) {
            throw new UnsupportedValueException("retry.attempts must be at least 1: " + r.getAttempts());
        }
        final int attempts = r.getAttempts() == null ? DEFAULT_RETRY_ATTEMPTS : r.getAttempts();
        final Duration backoff = r.getBackoff() == null ? DEFAULT_RETRY_BACKOFF
                : GatewayDuration.parse("retry.backoff", r.getBackoff());
        return new RetryPolicy(List.copyOf(codes), attempts, backoff);
    }
}
