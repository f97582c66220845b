package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The request target split into authority and path (RFC 9112 section 3.2): origin-form takes the
 * authority from Host; absolute-form carries its own authority, which then overrides Host.
 *
 * @param authority host[:port] the request is for; "" when unknown
 * @param pathAndQuery origin-form path with query, e.g. {@code /a?b=c}
 * @param absoluteForm whether the client sent absolute-form
 */
record RequestTarget(String authority, String pathAndQuery, boolean absoluteForm) {

    /** Null when the target is neither origin-form, absolute-form nor "*". */
    static RequestTarget parse(HttpRequest request) {
        final String uri = request.uri();
        final String host = request.headers().get(HttpHeaderNames.HOST, "");
        if (uri.startsWith("/")) {
            return new RequestTarget(host, normalizePath(uri), false);
        }
        if (uri.equals("*")) {
            return new RequestTarget(host, uri, false);
        }
        final int schemeEnd = uri.indexOf("://");
        if (schemeEnd <= 0) {
            return null;
        }
        final String scheme = uri.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return null;
        }
        final int authorityStart = schemeEnd + 3;
        int pathStart = authorityStart;
        while (pathStart < uri.length() && uri.charAt(pathStart) != '/' && uri.charAt(pathStart) != '?') {
            pathStart++;
        }
        final String authority = uri.substring(authorityStart, pathStart);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return null;
        }
        String path = uri.substring(pathStart);
        if (path.isEmpty() || path.charAt(0) == '?') {
            path = "/" + path;
        }
        return new RequestTarget(authority, normalizePath(path), true);
    }

    /** Removes dot segments from the path part, keeping the query as sent. */
    private static String normalizePath(String pathAndQuery) {
        final int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return PathNormalizer.normalize(pathAndQuery);
        }
        final String path = pathAndQuery.substring(0, q);
        final String normalized = PathNormalizer.normalize(path);
        return normalized == path ? pathAndQuery : normalized + pathAndQuery.substring(q);
    }
}
