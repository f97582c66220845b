package io.archway.proxy.http;

import io.archway.proxy.http.h1.Ascii;
import io.archway.proxy.http.h1.FieldLines;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    /** Netty's HTTP/2 to HTTP/1 conversion names its stream fields with this prefix. */
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** Copies skip validation: every name and value was validated when it was decoded or configured. */
    private static final HttpHeadersFactory UNVALIDATED = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);
    private static final AsciiString[] ALWAYS = {
        HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };
    private static final byte[][] ALWAYS_LOWER = new byte[ALWAYS.length][];
    private static final byte[] HTTP2_EXTENSION_LOWER = HTTP2_EXTENSION_PREFIX.getBytes(StandardCharsets.US_ASCII);

    static {
        for (int i = 0; i < ALWAYS.length; i++) {
            ALWAYS_LOWER[i] = ALWAYS[i].toLowerCase().toByteArray();
        }
    }

    private HopByHopHeaders() {
    }

    /** A copy of {@code source} without hop-by-hop fields (names listed in Connection included). */
    static HttpHeaders copyEndToEnd(HttpHeaders source) {
        final HttpHeaders out = UNVALIDATED.newHeaders();
        final List<String> listed = connectionTokens(source);
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = source.iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> e = it.next();
            final CharSequence name = e.getKey();
            if (isHopByHop(name) || isHttp2Extension(name) || listed != null && contains(listed, name)) {
                continue;
            }
            out.add(name, e.getValue());
        }
        return out;
    }

    /**
     * Removes the hop-by-hop fields (names listed in Connection included) from {@code headers}
     * itself and returns it: the decoded message's headers are forwarded without a copy (no second
     * map, no second validation pass; they were validated when decoded). A {@link FieldLines} head
     * (both HTTP/1.1 slice decoders) is stripped in one pass over its received names.
     */
    static HttpHeaders stripInPlace(HttpHeaders headers) {
        final List<String> listed = connectionTokens(headers);
        if (headers instanceof FieldLines fields) {
            fields.removeIf(NOT_FORWARDED);
        } else {
            for (AsciiString h : ALWAYS) {
                headers.remove(h);
            }
            removeHttp2Extensions(headers);
        }
        if (listed != null) {
            for (int i = 0; i < listed.size(); i++) {
                headers.remove(listed.get(i));
            }
        }
        return headers;
    }

    /** Netty's header iterators are read-only: collect, then remove (HTTP/2 requests only). */
    private static void removeHttp2Extensions(HttpHeaders headers) {
        List<String> extensions = null;
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            final CharSequence name = it.next().getKey();
            if (isHttp2Extension(name)) {
                if (extensions == null) {
                    extensions = new ArrayList<>(4);
                }
                extensions.add(name.toString());
            }
        }
        if (extensions != null) {
            for (int i = 0; i < extensions.size(); i++) {
                headers.remove(extensions.get(i));
            }
        }
    }

    /** The fields never forwarded whatever Connection lists: {@link #ALWAYS} and the HTTP/2 extensions. */
    private static final FieldLines.NameTest NOT_FORWARDED = new FieldLines.NameTest() {
        @Override
        public boolean test(byte[] bytes, int start, int length) {
            for (byte[] h : ALWAYS_LOWER) {
                if (h.length == length && Ascii.regionEqualsLower(bytes, start, h, h.length)) {
                    return true;
                }
            }
            return length > HTTP2_EXTENSION_LOWER.length
                    && Ascii.regionEqualsLower(bytes, start, HTTP2_EXTENSION_LOWER, HTTP2_EXTENSION_LOWER.length);
        }

        @Override
        public boolean test(CharSequence name) {
            return isHopByHop(name) || isHttp2Extension(name);
        }
    };

    /**
     * Field names listed in Connection (RFC 9110 section 7.6.1), or null when there are none
     * beyond the usual keep-alive / close, so the common case allocates nothing. Content-Length
     * and Host are never connection options (they are meant for every recipient): dropping
     * Content-Length while forwarding the body would let the backend read the body as a second
     * request (request smuggling), and dropping Host would forward a Host the request was not
     * routed on. Those tokens are ignored.
     */
    static List<String> connectionTokens(HttpHeaders source) {
        List<String> tokens = null;
        final Iterator<? extends CharSequence> values = source.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
        while (values.hasNext()) {
            final CharSequence value = values.next();
            final int length = value.length();
            int start = 0;
            while (start <= length) {
                int end = start;
                while (end < length && value.charAt(end) != ',') {
                    end++;
                }
                // The token in place, trimmed as String.trim() trims: the usual keep-alive or close
                // (every nginx response) is compared, not copied.
                int from = start;
                int to = end;
                while (from < to && value.charAt(from) <= ' ') {
                    from++;
                }
                while (to > from && value.charAt(to - 1) <= ' ') {
                    to--;
                }
                if (to > from && !tokenIs(value, from, to, "keep-alive") && !tokenIs(value, from, to, "close")
                        && !tokenIs(value, from, to, "content-length") && !tokenIs(value, from, to, "host")) {
                    if (tokens == null) {
                        tokens = new ArrayList<>(2);
                    }
                    tokens.add(value.subSequence(from, to).toString());
                }
                start = end + 1;
            }
        }
        return tokens;
    }

    private static boolean tokenIs(CharSequence value, int from, int to, String token) {
        return to - from == token.length() && AsciiString.regionMatches(value, true, from, token, 0, token.length());
    }

    static boolean contains(List<String> tokens, CharSequence name) {
        for (int i = 0; i < tokens.size(); i++) {
            if (AsciiString.contentEqualsIgnoreCase(tokens.get(i), name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Netty's HTTP/2 to HTTP/1 conversion adds {@code x-http2-stream-id}, {@code x-http2-scheme}
     * etc. to describe the stream; they belong to the downstream connection only.
     */
    static boolean isHttp2Extension(CharSequence name) {
        return name.length() > HTTP2_EXTENSION_PREFIX.length()
                && AsciiString.regionMatches(name, true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length());
    }

    static boolean isHopByHop(CharSequence name) {
        for (AsciiString h : ALWAYS) {
            if (h.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }


}
