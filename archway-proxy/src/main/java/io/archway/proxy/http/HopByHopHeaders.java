package io.archway.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Copies end-to-end headers between the two sides of the proxy. Hop-by-hop fields (RFC 9110
 * section 7.6.1: Connection and the fields it names, Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding, Upgrade) are connection-specific and must not be forwarded; the proxy
 * re-frames bodies itself.
 */
final class HopByHopHeaders {
    private static final AsciiString[] ALWAYS = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };

    private HopByHopHeaders() {
    }

    /** A copy of {@code source} without hop-by-hop fields (names listed in Connection included). */
    static HttpHeaders copyEndToEnd(HttpHeaders source) {
        final HttpHeaders out = new DefaultHttpHeaders(false);
        final List<String> connectionTokens = source.getAll(HttpHeaderNames.CONNECTION);
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = source.iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> e = it.next();
            final CharSequence name = e.getKey();
            if (isHopByHop(name) || listedIn(connectionTokens, name) || isHttp2Extension(name)) {
                continue;
            }
            out.add(name, e.getValue());
        }
        return out;
    }

    /**
     * Netty's HTTP/2 to HTTP/1 conversion adds {@code x-http2-stream-id}, {@code x-http2-scheme}
     * etc. to describe the stream; they belong to the downstream connection only.
     */
    private static boolean isHttp2Extension(CharSequence name) {
        return name.length() > 7 && AsciiString.regionMatches(name, true, 0, "x-http2-", 0, 8);
    }

    static boolean isHopByHop(CharSequence name) {
        for (AsciiString h : ALWAYS) {
            if (h.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listedIn(List<String> connectionValues, CharSequence name) {
        for (int i = 0; i < connectionValues.size(); i++) {
            final String value = connectionValues.get(i);
            int start = 0;
            while (start <= value.length()) {
                int end = value.indexOf(',', start);
                if (end < 0) {
                    end = value.length();
                }
                final String token = value.substring(start, end).trim();
                if (!token.isEmpty() && AsciiString.contentEqualsIgnoreCase(token, name)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }
}
