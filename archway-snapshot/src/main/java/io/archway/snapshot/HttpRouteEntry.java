package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One (rule, match) pair of an HTTPRoute, ready to serve.
 *
 * <p>What the data plane does with a request that matches: a {@link HttpFilter.RequestRedirect}
 * answers the redirect; otherwise filters apply in list order and a backend is picked by weight.
 * No backends, or a total weight of zero, answers 500 (HTTPRouteRule.backendRefs); a picked
 * backend with an {@link WeightedBackend#invalidReason()} answers 500; one without endpoints 503.
 *
 * @param origin where it came from
 * @param match the conditions, all of which must hold
 * @param filters in the order the spec lists them
 * @param backends the weighted backends; may be empty
 * @param timeouts the rule's timeouts ({@link RouteTimeouts#NONE} when it has none)
 * @param retry the rule's retry policy, or null when it has none
 */
public record HttpRouteEntry(RouteOrigin origin, HttpRequestMatch match, List<HttpFilter> filters,
                             List<WeightedBackend> backends, RouteTimeouts timeouts, RetryPolicy retry) {
    public HttpRouteEntry {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(match, "match");
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** An entry without timeouts or retry policy. */
    public HttpRouteEntry(RouteOrigin origin, HttpRequestMatch match, List<HttpFilter> filters,
                          List<WeightedBackend> backends) {
        this(origin, match, filters, backends, RouteTimeouts.NONE, null);
    }
}
