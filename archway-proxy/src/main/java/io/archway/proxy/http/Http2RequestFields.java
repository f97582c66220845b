package io.archway.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * A downstream HTTP/2 request's header block (or its trailers) as HTTP/1 fields, built in one pass
 * with the rules of Netty's {@code HttpConversionUtil} (4.2): {@code :authority} becomes Host (a Host
 * field equal to it adds nothing, one that differs makes the request malformed), the other
 * pseudo-headers stay in the request line, cookie crumbs are joined into one field (RFC 9113
 * section 8.2.3), and Transfer-Encoding and Trailer are dropped.
 *
 * <p>Netty's conversion also adds {@code x-http2-scheme} and {@code x-http2-stream-id}, which the
 * proxy then had to remove again before forwarding, and gives every request a 16-bucket table; the
 * table here is sized by the block. Names and values are validated as Netty's validating headers
 * validate them. An invalid value (such as one with CR or LF, which HPACK carries unchecked) or a
 * conflicting Host throws {@link IllegalArgumentException}: the caller resets the stream with
 * PROTOCOL_ERROR, as the stream error of Netty's conversion did.
 */
final class Http2RequestFields extends DefaultHttpHeaders {
    private static final DefaultHttpHeadersFactory VALIDATING = DefaultHttpHeadersFactory.headersFactory();

    private Http2RequestFields(int sizeHint) {
        super(VALIDATING.getNameValidator(), VALIDATING.getValueValidator(), sizeHint);
    }

    /** The request's fields; room for one more (Transfer-Encoding: chunked, added for a body of unknown length). */
    static HttpHeaders ofRequest(Http2Headers block) {
        final Http2RequestFields out = new Http2RequestFields(block.size() + 1);
        addFields(block, out);
        return out;
    }

    /**
     * Adds the block's fields to {@code out}: Host for {@code :authority}, no other pseudo-header
     * (Netty's decoder has refused unknown ones; trailers with any were refused before this).
     */
    static void addFields(Http2Headers block, HttpHeaders out) {
        CharSequence authority = null;
        CharSequence cookie = null;
        StringBuilder crumbs = null;
        for (Map.Entry<CharSequence, CharSequence> e : block) {
            final CharSequence name = e.getKey();
            final CharSequence value = e.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name)) {
                    authority = value;
                    out.add(HttpHeaderNames.HOST, value);
                }
            } else if (authority != null && HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                // Section 8.3.1: Host may repeat :authority (one Host goes on) but not differ from it.
                if (!AsciiString.contentEqualsIgnoreCase(authority, value)) {
                    throw new IllegalArgumentException("conflicting :authority and host");
                }
            } else if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                if (cookie == null) {
                    cookie = value;
                } else {
                    if (crumbs == null) {
                        crumbs = new StringBuilder(cookie.length() + value.length() + 16).append(cookie);
                    }
                    crumbs.append("; ").append(value);
                }
            } else if (!HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)) {
                out.add(name, value);
            }
        }
        if (cookie != null) {
            out.add(HttpHeaderNames.COOKIE, crumbs != null ? crumbs.toString() : cookie);
        }
    }
}
