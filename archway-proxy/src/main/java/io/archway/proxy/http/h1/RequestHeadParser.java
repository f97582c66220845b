package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
 * <p>Rules, in Netty's order: CR/LF bytes before a request line are skipped; a line ends in CRLF
 * (a bare LF: 400; a CR elsewhere is a CTL: 400); the request line is at most maxInitialLineLength
 * (414) and the field lines together at most maxHeaderSize (431, excluding the CRLFs); a field name
 * is a non-empty token followed at once by the colon; a value has no CTL but HTAB (leading and
 * trailing SP/HTAB are not part of it). Framing: Content-Length is digits only, one value on
 * HTTP/1.1 (a comma list or a second line: 400);
 * Transfer-Encoding only on HTTP/1.1, its codings ending in exactly one {@code chunked}, never with
 * Content-Length (400). Host, the number of framing fields and the codings before chunked are
 * {@code RequestValidator}'s (the same code for both parsers).
 */
final class RequestHeadParser {
    /** A complete, valid head. */
    record Head(HttpMethod method, String uri, HttpVersion version, FieldLines fields, long contentLength,
                boolean chunked, int headerSize) {
    }

    private static final boolean[] TOKEN = new boolean[256];
    private static final byte[] CONTENT_LENGTH = lower("content-length");
    private static final byte[] TRANSFER_ENCODING = lower("transfer-encoding");
    private static final byte[] SEC_WEBSOCKET_KEY1 = lower("sec-websocket-key1");
    private static final byte[] SEC_WEBSOCKET_KEY2 = lower("sec-websocket-key2");
    private static final byte[] CHUNKED = lower("chunked");
    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.OPTIONS,
        HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT,
    };

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private static final ByteProcessor IS_TOKEN = b -> TOKEN[b & 0xff];
    /** Field-value bytes: no CTL but HTAB, no DEL (obs-text allowed, as Netty's validation). */
    private static final ByteProcessor IS_VALUE_BYTE = b -> (b & 0xff) >= 0x20 && b != 0x7f || b == '\t';
    /** Request-target bytes up to the SP before the version (HTAB, VT, FF and CR are separators to Netty). */
    private static final ByteProcessor NOT_SEPARATOR = b -> b != ' ' && b != '\t' && b != 0x0b && b != '\f'
            && b != '\r';

    private final int maxLine;
    private final int maxHeaders;

    // Progress through the head being read; offsets are relative to the buffer's reader index,
    // which stays at the head's first byte until the head is complete.
    private boolean lineRead;
    private int scan;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private HttpVersion version;
    private int headerSize;
    /** name start, name end, value start, value end per field line. */
    private int[] at = new int[32];
    private int count;
    /** The last field line read is checked when the next line has been read (Netty's order). */
    private boolean pending;

    RequestHeadParser(int maxLine, int maxHeaders) {
        this.maxLine = maxLine;
        this.maxHeaders = maxHeaders;
    }

    /** Whether the request line of an incomplete head was read. */
    boolean startLineRead() {
        return lineRead;
    }

    void reset() {
        lineRead = false;
        scan = 0;
        headerSize = 0;
        count = 0;
        pending = false;
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
        final int base = in.readerIndex();
        final int end = in.writerIndex();
        while (true) {
            final int from = base + scan;
            final int lf = lineEnd(in, from, end, maxHeaders - headerSize, false);
            if (lf < 0) {
                return null;
            }
            final int contentEnd = lf - 1;
            final int length = contentEnd - from;
            headerSize += length;
            if (pending) {
                checkField(in, base, count - 1);
                pending = false;
            }
            scan = lf + 1 - base;
            if (length == 0) {
                return complete(in, base);
            }
            splitField(in, base, from, contentEnd);
        }
    }

    /** Skips CR and LF bytes before a request line, as Netty does; false while only those arrived. */
    private boolean skipEmptyLines(ByteBuf in) {
        final int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        final int max = Math.min(maxLine, readable);
        int i = in.readerIndex();
        final int stop = i + max;
        while (i < stop) {
            final byte b = in.getByte(i);
            if (b != '\r' && b != '\n') {
                break;
            }
            i++;
        }
        if (i == stop) {
            in.readerIndex(stop);
            if (readable > maxLine) {
                throw new TooLongHttpLineException("An HTTP line is larger than " + maxLine + " bytes.");
            }
            return false;
        }
        final int first = in.getByte(i) & 0xff;
        if (Character.isISOControl(first)) {
            throw new IllegalArgumentException("Line Feed must be preceded by Carriage Return");
        }
        in.readerIndex(i);
        return true;
    }

    /**
     * The index of the LF ending the line at {@code from}, or -1 when it has not arrived; the line
     * must end in CRLF and its content fit in {@code budget} bytes.
     */
    private int lineEnd(ByteBuf in, int from, int end, int budget, boolean requestLine) {
        final int toProcess = (int) Math.min(budget + 2L, end - from);
        final int lf = in.indexOf(from, from + toProcess, (byte) '\n');
        if (lf < 0) {
            if (end - from > budget) {
                throw tooLong(requestLine);
            }
            return -1;
        }
        if (lf == from || in.getByte(lf - 1) != '\r') {
            throw new IllegalArgumentException("Line Feed must be preceded by Carriage Return");
        }
        if (lf - 1 - from > budget) {
            throw tooLong(requestLine);
        }
        return lf;
    }

    private RuntimeException tooLong(boolean requestLine) {
        return requestLine ? new TooLongHttpLineException("An HTTP line is larger than " + maxLine + " bytes.")
                : new TooLongHttpHeaderException("HTTP header is larger than " + maxHeaders + " bytes.");
    }

    /** method SP request-target SP HTTP-version CRLF, exactly. */
    private boolean readRequestLine(ByteBuf in) {
        final int base = in.readerIndex();
        final int lf = lineEnd(in, base, in.writerIndex(), maxLine, true);
        if (lf < 0) {
            return false;
        }
        final int end = lf - 1;
        // forEachByte checks the buffer once per region, getByte once per byte.
        int i = in.forEachByte(base, end - base, IS_TOKEN);
        if (i < 0) {
            i = end;
        }
        if (i == base || i == end || in.getByte(i) != ' ') {
            throw new IllegalArgumentException("Invalid method or separator in request line");
        }
        methodEnd = i - base;
        final int target = ++i;
        final int first = i < end ? in.getByte(i) & 0xff : ' ';
        if (Character.isWhitespace(first)) {
            throw new IllegalArgumentException("Invalid request target");
        }
        i = i < end ? in.forEachByte(i, end - i, NOT_SEPARATOR) : -1;
        if (i < 0) {
            i = end;
        } else if (in.getByte(i) != ' ') {
            throw new IllegalArgumentException("Invalid separator in request line");
        }
        if (i == end) {
            throw new IllegalArgumentException("No HTTP version in request line");
        }
        targetStart = target - base;
        targetEnd = i - base;
        i++;
        if (end - i != 8 || !isHttp1(in, i)) {
            throw new IllegalArgumentException("Unsupported HTTP version");
        }
        version = in.getByte(i + 7) == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        scan = lf + 1 - base;
        lineRead = true;
        return true;
    }

    private static boolean isHttp1(ByteBuf in, int i) {
        return in.getByte(i) == 'H' && in.getByte(i + 1) == 'T' && in.getByte(i + 2) == 'T' && in.getByte(i + 3) == 'P'
                && in.getByte(i + 4) == '/' && in.getByte(i + 5) == '1' && in.getByte(i + 6) == '.'
                && (in.getByte(i + 7) == '1' || in.getByte(i + 7) == '0');
    }

    /** Records the field line [from, end): checks what Netty checks as it splits a line. */
    private void splitField(ByteBuf in, int base, int from, int end) {
        final byte first = in.getByte(from);
        if ((first == ' ' || first == '\t') && count > 0) {
            throw new IllegalArgumentException("obs-fold is not accepted (RFC 9112 section 5.2)");
        }
        final int colon = in.indexOf(from, end, (byte) ':');
        if (colon < 0) {
            throw new IllegalArgumentException("No colon found");
        }
        int v = colon + 1;
        while (v < end) {
            final int b = in.getByte(v) & 0xff;
            if (b == ' ' || b == '\t') {
                v++;
            } else if (Character.isWhitespace(b)) {
                throw new IllegalArgumentException("Invalid separator before a field value");
            } else {
                break;
            }
        }
        int ve = end;
        while (ve > v && (in.getByte(ve - 1) == ' ' || in.getByte(ve - 1) == '\t')) {
            ve--;
        }
        if (count * 4 == at.length) {
            at = Arrays.copyOf(at, at.length * 2);
        }
        final int k = count * 4;
        at[k] = from - base;
        at[k + 1] = colon - base;
        at[k + 2] = v - base;
        at[k + 3] = ve - base;
        count++;
        pending = true;
    }

    /** The name is a token and the value has no CTL but HTAB (Netty's validating headers). */
    private void checkField(ByteBuf in, int base, int field) {
        final int k = field * 4;
        final int nameStart = base + at[k];
        final int nameEnd = base + at[k + 1];
        if (nameStart == nameEnd) {
            throw new IllegalArgumentException("empty headers are not allowed");
        }
        if (in.forEachByte(nameStart, nameEnd - nameStart, IS_TOKEN) >= 0) {
            throw new IllegalArgumentException("a header name can only contain token characters");
        }
        final int valueStart = base + at[k + 2];
        final int valueLength = base + at[k + 3] - valueStart;
        if (valueLength > 0 && in.forEachByte(valueStart, valueLength, IS_VALUE_BYTE) >= 0) {
            throw new IllegalArgumentException("a header value contains a prohibited character");
        }
    }

    /** The head is complete: framing as Netty's decoder decides it, then the head's bytes copied once. */
    private Head complete(ByteBuf in, int base) {
        final int headLength = scan;
        long contentLength = -1;
        int lengths = 0;
        int firstLength = -1;
        int codings = 0;
        boolean key1 = false;
        boolean key2 = false;
        for (int f = 0; f < count; f++) {
            if (nameIs(in, base, f, CONTENT_LENGTH)) {
                if (lengths++ == 0) {
                    firstLength = f;
                }
            } else if (nameIs(in, base, f, TRANSFER_ENCODING)) {
                codings++;
            } else if (nameIs(in, base, f, SEC_WEBSOCKET_KEY1)) {
                key1 = true;
            } else if (nameIs(in, base, f, SEC_WEBSOCKET_KEY2)) {
                key2 = true;
            }
        }
        final boolean http11 = version == HttpVersion.HTTP_1_1;
        boolean normalize = false;
        if (lengths > 0) {
            final int vs = base + at[firstLength * 4 + 2];
            final int ve = base + at[firstLength * 4 + 3];
            if (http11 && (lengths > 1 || in.indexOf(vs, ve, (byte) ',') >= 0)) {
                throw new IllegalArgumentException("Multiple Content-Length values found");
            }
            contentLength = digits(in, vs, ve);
            // HTTP/1.0 only: Netty keeps the first value and writes it back as one field (at the end);
            // RequestValidator then sees one Content-Length, as with the codec.
            normalize = lengths > 1;
        }
        final HttpMethod method = method(in, base);
        if (lengths == 0 && HttpMethod.GET.equals(method) && key1 && key2) {
            contentLength = 8; // a draft-76 WebSocket handshake's key, as Netty frames it
        }
        boolean chunked = false;
        if (codings > 0) {
            if (!http11) {
                throw new IllegalArgumentException("The Transfer-Encoding header is only allowed in HTTP/1.1 or newer");
            }
            chunked = lastCodingIsChunked(in, base);
            if (lengths > 0) {
                throw new IllegalArgumentException("Content-Length are not allowed with Transfer-Encoding");
            }
        }
        final byte[] head = new byte[headLength];
        in.getBytes(base, head);
        final String uri = new String(head, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        final FieldLines fields = new FieldLines(head, count == 0 ? new int[0] : Arrays.copyOf(at, count * 4), count);
        if (normalize) {
            fields.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        final Head result = new Head(method, uri, version, fields, contentLength, chunked, headerSize);
        in.readerIndex(base + headLength);
        reset();
        return result;
    }

    /** Netty's rule: some coding is chunked, chunked at most once, and it is the last coding. */
    private boolean lastCodingIsChunked(ByteBuf in, int base) {
        boolean seen = false;
        boolean last = false;
        for (int f = 0; f < count; f++) {
            if (!nameIs(in, base, f, TRANSFER_ENCODING)) {
                continue;
            }
            int i = base + at[f * 4 + 2];
            final int end = base + at[f * 4 + 3];
            while (i <= end) {
                int comma = in.indexOf(i, end, (byte) ',');
                final int stop = comma < 0 ? end : comma;
                int s = i;
                int e = stop;
                while (s < e && (in.getByte(s) == ' ' || in.getByte(s) == '\t')) {
                    s++;
                }
                while (e > s && (in.getByte(e - 1) == ' ' || in.getByte(e - 1) == '\t')) {
                    e--;
                }
                if (s < e) {
                    last = e - s == CHUNKED.length && equalsLower(in, s, CHUNKED);
                    if (last) {
                        if (seen) {
                            throw new IllegalArgumentException("chunked transfer coding must not be applied more than once");
                        }
                        seen = true;
                    }
                }
                if (comma < 0) {
                    break;
                }
                i = comma + 1;
            }
        }
        if (!seen) {
            throw new IllegalArgumentException("The final transfer coding must be chunked for HTTP requests");
        }
        if (!last) {
            throw new IllegalArgumentException("chunked must be the last encoding present in the Transfer-Encoding header");
        }
        return true;
    }

    private static long digits(ByteBuf in, int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("Content-Length value is not a number");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            final int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("Content-Length value is not a number");
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                throw new IllegalArgumentException("Content-Length value is too large");
            }
            v = v * 10 + d;
        }
        return v;
    }

    private HttpMethod method(ByteBuf in, int base) {
        for (HttpMethod m : METHODS) {
            final String name = m.name();
            if (name.length() == methodEnd) {
                boolean same = true;
                for (int i = 0; i < methodEnd && same; i++) {
                    same = in.getByte(base + i) == name.charAt(i);
                }
                if (same) {
                    return m;
                }
            }
        }
        return HttpMethod.valueOf(in.toString(base, methodEnd, StandardCharsets.US_ASCII));
    }

    private boolean nameIs(ByteBuf in, int base, int field, byte[] lower) {
        final int start = base + at[field * 4];
        return at[field * 4 + 1] - at[field * 4] == lower.length && equalsLower(in, start, lower);
    }

    private static boolean equalsLower(ByteBuf in, int at, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            final int b = in.getByte(at + k);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] lower(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
