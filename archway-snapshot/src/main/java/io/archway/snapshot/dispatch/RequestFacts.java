package io.archway.snapshot.dispatch;

import java.util.List;

/**
 * The parts of a request that dispatch looks at. The data plane adapts its own request type (no
 * copying); {@link SimpleRequest} is a plain implementation for explain and tests.
 */
public interface RequestFacts {
    /** Upper-case method as sent, e.g. {@code GET}. */
    String method();

    /** The path without the query string, as sent (not decoded). */
    String path();

    /** The query string without '?', as sent; "" when there is none. */
    String rawQuery();

    /** The normalized host: lower case, no port, no trailing dot ({@link io.archway.snapshot.Hostnames#normalizeHost}). */
    String host();

    /** The values of a header by case-insensitive name, in the order received; empty when absent. */
    List<String> headerValues(String name);

    /**
     * The first value of a query parameter, the name compared exactly (HTTPQueryParamMatch: with a
     * repeated parameter only the first one counts); null when absent.
     */
    String queryParam(String name);
}
