package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.EmptyHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A response's HTTP/1 fields as the HTTP/2 header block sent downstream (RFC 9113 section 8.2):
 * names in lower case, connection-specific fields dropped (section 8.2.2: the hop-by-hop fields of
 * {@link HopByHopHeaders}, those named in Connection, and Host), {@code :status} first.
 *
 * <p>Netty's {@code HttpConversionUtil.toHttp2Headers} does the same, but builds a map of the
 * Connection tokens for every message (even without a Connection field) and copies every name that
 * is not already lower case into a new string: backends such as nginx send "Content-Type". Here the
 * names a response commonly carries map to Netty's lower-case constants, by length and then a
 * case-insensitive comparison, and only other names are lower-cased.
 *
 * <p>Validation. The block checks values as Netty's validating {@code DefaultHttp2Headers} does;
 * names it leaves to this class (Netty's check, a token scan of every name of every response, was
 * on 1-2 % of the CPU samples of small h2c requests): a name that maps to a constant of the table
 * is a lower-case token by construction, and any other name is checked here as Netty checks it (a
 * non-empty token, so no pseudo-header either, which Netty would let through; lower case by then),
 * an invalid one thrown as {@link IllegalArgumentException}.
 */
final class Http2ResponseHeaders {
    /** Lower-case constants by name length: the names responses commonly carry (tokens all, as a test checks). */
    static final AsciiString[][] KNOWN = byLength(
            HttpHeaderNames.AGE, HttpHeaderNames.DATE, HttpHeaderNames.ETAG, HttpHeaderNames.VARY, HttpHeaderNames.VIA,
            AsciiString.cached("link"), HttpHeaderNames.ALLOW, HttpHeaderNames.SERVER, HttpHeaderNames.EXPIRES,
            HttpHeaderNames.LOCATION, HttpHeaderNames.SET_COOKIE, HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONTENT_LANGUAGE,
            HttpHeaderNames.CONTENT_RANGE, HttpHeaderNames.CONTENT_DISPOSITION, HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.RETRY_AFTER,
            HttpHeaderNames.WWW_AUTHENTICATE, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN,
            HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
            AsciiString.cached("strict-transport-security"), HttpHeaderNames.CONTENT_SECURITY_POLICY,
            HttpHeaderNames.X_FRAME_OPTIONS, AsciiString.cached("x-content-type-options"),
            AsciiString.cached("alt-svc"), AsciiString.cached("referrer-policy"), AsciiString.cached("grpc-status"),
            AsciiString.cached("grpc-message"), AsciiString.cached("grpc-encoding"),
            AsciiString.cached("grpc-accept-encoding"), AsciiString.cached("x-request-id"));

    private Http2ResponseHeaders() {
    }

    /** The header block of a response head. */
    static Http2Headers head(HttpResponseStatus status, HttpHeaders fields) {
        final Http2Headers out = new DefaultHttp2Headers(false, true, fields.size() + 1);
        out.status(status.codeAsText());
        copy(fields, out);
        return out;
    }

    /** The header block of trailers (never a pseudo-header). */
    static Http2Headers trailers(HttpHeaders fields) {
        if (fields.isEmpty()) {
            return EmptyHttp2Headers.INSTANCE;
        }
        final Http2Headers out = new DefaultHttp2Headers(false, true, fields.size());
        copy(fields, out);
        return out;
    }

    private static void copy(HttpHeaders fields, Http2Headers out) {
        final List<String> listed = HopByHopHeaders.connectionTokens(fields);
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = fields.iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> field = it.next();
            final CharSequence name = field.getKey();
            if (HopByHopHeaders.isHopByHop(name) || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                    || HopByHopHeaders.isHttp2Extension(name) || listed != null && HopByHopHeaders.contains(listed, name)) {
                continue;
            }
            out.add(validName(name), field.getValue());
        }
    }

    /**
     * {@code name} as a field name of the block: its shared constant, or else the name in lower case
     * once it is checked as Netty's HTTP/2 headers check names.
     */
    static AsciiString validName(CharSequence name) {
        final AsciiString known = known(name);
        if (known != null) {
            return known;
        }
        final AsciiString lower = AsciiString.of(name).toLowerCase();
        if (lower.isEmpty() || HttpHeaderValidationUtil.validateToken(lower) != -1) {
            throw new IllegalArgumentException("invalid header name [" + name + "]");
        }
        return lower;
    }

    /** The table's constant for {@code name} (compared ignoring case), or null. */
    private static AsciiString known(CharSequence name) {
        final int length = name.length();
        if (length < KNOWN.length) {
            for (AsciiString known : KNOWN[length]) {
                if (known.contentEqualsIgnoreCase(name)) {
                    return known;
                }
            }
        }
        return null;
    }

    private static AsciiString[][] byLength(AsciiString... names) {
        int longest = 0;
        for (AsciiString n : names) {
            longest = Math.max(longest, n.length());
        }
        final AsciiString[][] table = new AsciiString[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int count = 0;
            for (AsciiString n : names) {
                if (n.length() == length) {
                    count++;
                }
            }
            table[length] = new AsciiString[count];
            count = 0;
            for (AsciiString n : names) {
                if (n.length() == length) {
                    table[length][count++] = n;
                }
            }
        }
        return table;
    }
}
