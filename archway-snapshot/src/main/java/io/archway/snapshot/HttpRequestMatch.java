package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * The conditions of one HTTPRouteMatch; a request matches when all hold.
 *
 * @param path always present (the spec defaults to PathPrefix {@code /})
 * @param method upper-case method, or null for any
 * @param headers all must match; names compare case-insensitively
 * @param queryParams all must match; names compare exactly
 */
public record HttpRequestMatch(PathMatch path, String method, List<HeaderMatch> headers,
                               List<QueryParamMatch> queryParams) {
    public HttpRequestMatch {
        Objects.requireNonNull(path, "path");
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
        queryParams = List.copyOf(Objects.requireNonNull(queryParams, "queryParams"));
    }
}
