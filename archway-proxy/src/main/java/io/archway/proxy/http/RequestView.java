package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * The parts of a request routing looks at, split once. Query parameters are decoded lazily: only
 * routes with query conditions pay for it.
 */
public final class RequestView {
    private final String method;
    private final String uri;
    private final String path;
    private final String host;
    private final HttpHeaders headers;
    private Map<String, List<String>> queryParameters;

    public RequestView(String method, String uri, String host, HttpHeaders headers) {
        this.method = method;
        this.uri = uri;
        final int q = uri.indexOf('?');
        this.path = q >= 0 ? uri.substring(0, q) : uri;
        this.host = host;
        this.headers = headers;
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    /** The path without the query string, as sent. */
    public String path() {
        return path;
    }

    /** The query string without '?', or "" when there is none. */
    public String rawQuery() {
        final int q = uri.indexOf('?');
        return q >= 0 ? uri.substring(q + 1) : "";
    }

    /** Normalized host (lower case, no port), see {@link io.archway.snapshot.Hostnames#normalizeHost}. */
    public String host() {
        return host;
    }

    public HttpHeaders headers() {
        return headers;
    }

    Map<String, List<String>> queryParameters() {
        if (queryParameters == null) {
            queryParameters = new QueryStringDecoder(uri).parameters();
        }
        return queryParameters;
    }
}
