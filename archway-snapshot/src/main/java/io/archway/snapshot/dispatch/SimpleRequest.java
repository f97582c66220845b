package io.archway.snapshot.dispatch;

import io.archway.snapshot.Hostnames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A request as plain values, for explain and tests.
 *
 * @param method upper-case method
 * @param pathAndQuery the request target, e.g. {@code /foo?a=1}
 * @param rawHost the Host as sent (normalized by {@link #host()})
 * @param headers header names to values; names compare case-insensitively
 */
public record SimpleRequest(String method, String pathAndQuery, String rawHost, Map<String, List<String>> headers)
        implements RequestFacts {
    public SimpleRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(rawHost, "rawHost");
        final Map<String, List<String>> copy = new LinkedHashMap<>();
        Objects.requireNonNull(headers, "headers").forEach((k, v) -> copy.put(k, List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** A request with single-valued headers. */
    public static SimpleRequest of(String method, String pathAndQuery, String host, Map<String, String> headers) {
        final Map<String, List<String>> multi = new LinkedHashMap<>();
        headers.forEach((k, v) -> multi.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        return new SimpleRequest(method.toUpperCase(Locale.ROOT), pathAndQuery, host, multi);
    }

    @Override
    public String path() {
        final int q = pathAndQuery.indexOf('?');
        return q >= 0 ? pathAndQuery.substring(0, q) : pathAndQuery;
    }

    @Override
    public String rawQuery() {
        final int q = pathAndQuery.indexOf('?');
        return q >= 0 ? pathAndQuery.substring(q + 1) : "";
    }

    @Override
    public String host() {
        return Hostnames.normalizeHost(rawHost);
    }

    @Override
    public List<String> headerValues(String name) {
        final List<String> out = new ArrayList<>();
        headers.forEach((k, v) -> {
            if (k.equalsIgnoreCase(name)) {
                out.addAll(v);
            }
        });
        return out;
    }

    @Override
    public String queryParam(String name) {
        final int q = pathAndQuery.indexOf('?');
        return q < 0 ? null : QueryParams.first(rawQuery(), name);
    }
}
