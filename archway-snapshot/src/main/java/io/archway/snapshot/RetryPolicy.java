package io.archway.snapshot;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * HTTPRouteRule.retry, with the spec's implementation-specific defaults filled in by the
 * translator. A request is retried when its attempt fails with a connection error (refused,
 * reset, closed before the response, or its backendRequest timeout) or answers one of
 * {@code codes}; never after the request body outgrew what the data plane kept for replay.
 *
 * @param codes status codes to retry (HTTPRouteRetryStatusCode, 400-599), sorted
 * @param attempts the maximum number of retries after the first attempt (HTTPRouteRetry.attempts)
 * @param backoff the minimum wait before a retry (HTTPRouteRetry.backoff)
 */
public record RetryPolicy(List<Integer> codes, int attempts, Duration backoff) {
    public RetryPolicy {
        codes = List.copyOf(Objects.requireNonNull(codes, "codes"));
        Objects.requireNonNull(backoff, "backoff");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0: " + attempts);
        }
    }

    public boolean retriesStatus(int status) {
        return codes.contains(status);
    }
}
