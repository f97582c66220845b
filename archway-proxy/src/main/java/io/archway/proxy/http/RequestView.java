package io.archway.proxy.http;

import io.archway.snapshot.dispatch.QueryParams;
import io.archway.snapshot.dispatch.RequestFacts;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * The parts of a request routing looks at, split once. Query parameters are decoded lazily: only
 * routes with query conditions pay for it. The {@link RequestFacts} the shared dispatcher reads,
 * straight from Netty's headers (no copy).
 */
public final class RequestView implements RequestFacts {
    private final String method;
    private final String uri;
    private final String path;
    private final String host;
    private final HttpHeaders headers;

    public RequestView(String method, String uri, String host, HttpHeaders headers) {
        this.method = method;
        this.uri = uri;
        final int q = uri.indexOf('?');
        this.path = q >= 0 ? uri.substring(0, q) : uri;
        this.host = host;
        this.headers = headers;
    }

    @Override
    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    /** The path without the query string, as sent. */
    @Override
    public String path() {
        return path;
    }

    @Override
    public String rawQuery() {
        final int q = uri.indexOf('?');
        return q >= 0 ? uri.substring(q + 1) : "";
    }

    /** Normalized host (lower case, no port), see {@link io.archway.snapshot.Hostnames#normalizeHost}. */
    @Override
    public String host() {
        return host;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The values of a header, by case-insensitive name; empty when absent. */
    @Override
    public List<String> headerValues(String name) {
        return headers.getAll(name);
    }

    /** The first value of a query parameter, read as explain reads it ({@link QueryParams}), or null. */
    @Override
    public String queryParam(String name) {
        return QueryParams.first(rawQuery(), name);
    }
}
