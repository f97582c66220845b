package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/**
 * Scans an HTTP/1.1 request head once (RFC 9112), line by line as bytes arrive, and records where
 * each field's name and value are; nothing is decoded into objects but the method, the target and
 * the head's bytes (one array). It accepts what the strict Netty decoder of
 * {@code HttpCodecConfig.server} accepts, with the same status for what it rejects, checked in the
 * same order (so a request with two faults gets the same answer), except that it is stricter in
 * three places that RFC 9112 lets a server reject: obs-fold (section 5.2: 400 instead of joining
 * the lines), request-line separators other than one SP (section 3: no leading, doubled or tab
 * separators) and protocol versions other than exactly {@code HTTP/1.0} and {@code HTTP/1.1}
 * (400; Netty takes {@code HTTP/1.2} or {@code http/1.1}).
 *
 * <p>The line, field-line and framing rules (CRLF only, limits, token names followed at once by the
 * colon, values without CTLs but HTAB, Content-Length and Transfer-Encoding) are {@link HeadParser}'s,
 * shared with the response side; statuses: a request line over maxInitialLineLength 414, field lines
 * over maxHeaderSize 431, anything else 400. Host, the number of framing fields and the codings
 * before chunked are {@code RequestValidator}'s (the same code for both parsers).
 */
final class RequestHeadParser extends HeadParser {
    /** A complete, valid head. */
    record Head(HttpMethod method, String uri, HttpVersion version, FieldLines fields, long contentLength,
                boolean chunked, int headerSize) {
    }

    private static final byte[] SEC_WEBSOCKET_KEY1 = lower("sec-websocket-key1");
    private static final byte[] SEC_WEBSOCKET_KEY2 = lower("sec-websocket-key2");
    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.OPTIONS,
        HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT,
    };

    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private HttpVersion version;
    private boolean key1;
    private boolean key2;

    RequestHeadParser(int maxLine, int maxHeaders) {
        super(maxLine, maxHeaders, false);
    }

    @Override
    void reset() {
        super.reset();
        version = null;
    }

    /**
     * The head at the reader index once it is complete (the reader index then moves past it), or
     * null while more bytes are needed.
     *
     * @throws TooLongHttpLineException request line over maxInitialLineLength (414)
     * @throws TooLongHttpHeaderException field lines over maxHeaderSize (431)
     * @throws IllegalArgumentException anything else that is malformed (400)
     */
    Head parse(ByteBuf in) {
        if (!lineRead) {
            if (!skipEmptyLines(in) || !readRequestLine(in)) {
                return null;
            }
        }
        if (!readFields(in)) {
            return null;
        }
        return complete(in);
    }

    /** method SP request-target SP HTTP-version CRLF, exactly. */
    private boolean readRequestLine(ByteBuf in) {
        final int lf = lineEnd(in, 0, maxLine, true);
        if (lf < 0) {
            return false;
        }
        final int end = lf - 1;
        int i = skipToken(0, end);
        if (i < 0) {
            i = end;
        }
        if (i == 0 || i == end || h[i] != ' ') {
            throw new IllegalArgumentException("Invalid method or separator in request line");
        }
        methodEnd = i;
        final int target = ++i;
        final int first = i < end ? h[i] & 0xff : ' ';
        if (Character.isWhitespace(first)) {
            throw new IllegalArgumentException("Invalid request target");
        }
        while (i < end && !isSeparator(h[i])) {
            i++;
        }
        if (i < end && h[i] != ' ') {
            throw new IllegalArgumentException("Invalid separator in request line");
        }
        if (i == end) {
            throw new IllegalArgumentException("No HTTP version in request line");
        }
        targetStart = target;
        targetEnd = i;
        i++;
        if (end - i != 8 || !isHttp1(i)) {
            throw new IllegalArgumentException("Unsupported HTTP version");
        }
        version = http1(i);
        scan = lf + 1;
        lineRead = true;
        return true;
    }

    /** Request-target bytes end at the SP before the version (HTAB, VT, FF and CR are separators to Netty). */
    private static boolean isSeparator(byte b) {
        return b == ' ' || b == '\t' || b == 0x0b || b == '\f' || b == '\r';
    }

    @Override
    void otherField(int field) {
        if (nameIs(field, SEC_WEBSOCKET_KEY1)) {
            key1 = true;
        } else if (nameIs(field, SEC_WEBSOCKET_KEY2)) {
            key2 = true;
        }
    }

    /** The head is complete: framing as Netty's decoder decides it, then the head's bytes copied once. */
    private Head complete(ByteBuf in) {
        key1 = false;
        key2 = false;
        framing(version == HttpVersion.HTTP_1_1);
        long length = contentLength;
        final HttpMethod method = method();
        if (lengths == 0 && HttpMethod.GET.equals(method) && key1 && key2) {
            length = 8; // a draft-76 WebSocket handshake's key, as Netty frames it
        }
        final int headSize = headerSize;
        final FieldLines fields = fields(in);
        final String uri = new String(fields.head(), targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        if (lengths > 1) {
            // HTTP/1.0 only: Netty keeps the first value and writes it back as one field (at the end);
            // RequestValidator then sees one Content-Length, as with the codec.
            fields.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        final Head result = new Head(method, uri, version, fields, length, chunked, headSize);
        reset();
        return result;
    }

    private HttpMethod method() {
        for (HttpMethod m : METHODS) {
            final String name = m.name();
            if (name.length() == methodEnd) {
                boolean same = true;
                for (int i = 0; i < methodEnd && same; i++) {
                    same = h[i] == name.charAt(i);
                }
                if (same) {
                    return m;
                }
            }
        }
        return HttpMethod.valueOf(new String(h, 0, methodEnd, StandardCharsets.US_ASCII));
    }
}
