package io.archway.proxy.http;

import io.archway.snapshot.Header;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.dispatch.PathRewrite;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** Builds the request sent upstream: end-to-end headers, filters, rewrites, forwarding headers. */
final class UpstreamRequestBuilder {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

    private UpstreamRequestBuilder() {
    }

    /**
     * The request to send upstream. It reuses {@code request}'s headers object (hop-by-hop fields
     * removed in place, filters and forwarding headers applied): the caller must read anything it
     * needs from the original headers (Transfer-Encoding, Connection, Upgrade, TE) before this.
     * The result is not reference counted and is never changed afterwards, so a retry after a stale
     * keep-alive connection writes the same object again.
     */
    static HttpRequest build(HttpRequest request, RequestView view, RequestTarget target, CompiledRoute route,
                             CompiledBackend backend, String scheme, String clientIp, UpstreamAddress upstream,
                             boolean websocketUpgrade) {
        final HttpHeaders in = request.headers();
        // Read before the hop-by-hop fields are stripped from these very headers.
        final boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        final boolean teTrailers = in.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(in);
        if (websocketUpgrade) {
            // Upgrade is hop-by-hop, but a WebSocket handshake is forwarded as one (RFC 6455
            // section 4.1): the proxy tunnels the connection once the backend answers 101.
            headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        // The proxy answers "Expect: 100-continue" itself (HttpProxyHandler, Http2StreamCodec).
        headers.remove(HttpHeaderNames.EXPECT);
        // TE is hop-by-hop, but "TE: trailers" states that the client accepts trailers, which the
        // proxy forwards; gRPC servers require it (RFC 9113 section 8.2.2 allows it on HTTP/2).
        if (teTrailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        if (target.absoluteForm()) {
            // RFC 9112 section 3.2.2: with absolute-form, the target's authority replaces Host.
            headers.set(HttpHeaderNames.HOST, target.authority());
        }
        // Rule filters first, then the backendRef's (HTTPBackendRef.filters).
        HeaderFilterApplier.apply(route.filters().requestEdits(), headers);
        HeaderFilterApplier.apply(backend.filters().requestEdits(), headers);
        String path = view.path();
        path = rewrite(route.filters().urlRewrite(), path, route, headers);
        path = rewrite(backend.filters().urlRewrite(), path, route, headers);
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, upstream.key());
        }
        if (clientIp != null) {
            headers.set(X_FORWARDED_FOR, forwardedFor(headers, clientIp));
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        final String query = view.rawQuery();
        final String uri = query.isEmpty() ? path : path + "?" + query;
        final HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, headers);
        if (chunked) {
            // Transfer-Encoding is hop-by-hop and was dropped above; the body is re-framed chunked.
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        return out;
    }

    /**
     * The client's IP address as X-Forwarded-For shows it, or null when the channel has none (an
     * embedded or local channel). The text form allocates: computed once per connection (every
     * stream of an HTTP/2 connection takes its connection's).
     */
    static String clientIp(SocketAddress client) {
        return client instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
    }

    /**
     * The client's X-Forwarded-For with {@code ip} appended. A client (or a proxy before it) may
     * send the field on several lines; they form one list in order (RFC 9110 section 5.3), so
     * every line is kept, not only the first. Empty values add nothing.
     */
    private static String forwardedFor(HttpHeaders headers, String ip) {
        final String first = headers.get(X_FORWARDED_FOR);
        if (first == null) {
            return ip; // the common case: nothing to join, nothing allocated
        }
        final List<String> prior = headers.getAll(X_FORWARDED_FOR);
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < prior.size(); i++) {
            final String value = prior.get(i).trim();
            if (!value.isEmpty()) {
                out.append(value).append(", ");
            }
        }
        return out.append(ip).toString();
    }

    /** A WebSocket opening handshake: GET with Upgrade: websocket and Connection: upgrade. */
    static boolean isWebSocketUpgrade(HttpRequest request) {
        final HttpHeaders h = request.headers();
        return HttpMethod.GET.equals(request.method())
                && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    private static String rewrite(HttpFilter.UrlRewrite rewrite, String path, CompiledRoute route,
                                  HttpHeaders headers) {
        if (rewrite == null) {
            return path;
        }
        if (rewrite.hostname() != null && HeaderFilterApplier.safe(new Header("host", rewrite.hostname()))) {
            headers.set(HttpHeaderNames.HOST, rewrite.hostname());
        }
        return PathRewrite.apply(rewrite.path(), path, route.matcher().matchedPrefix());
    }
}
