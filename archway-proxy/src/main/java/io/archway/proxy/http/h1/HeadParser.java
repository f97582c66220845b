package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a request head and a response head share (RFC 9112): the lines, the field lines and the
 * message framing, one implementation for {@link RequestHeadParser} and {@link ResponseHeadParser}.
 * A head is scanned once, line by line as bytes arrive (no rescan), recording where each field's
 * name and value are; the subclass reads the start line and builds the head.
 *
 * <p>Rules, in Netty's order: CR/LF bytes before a start line are skipped; a line ends in CRLF (a
 * bare LF fails; a CR elsewhere is a CTL and fails); the start line is at most maxInitialLineLength
 * ({@link TooLongHttpLineException}) and the field lines together at most maxHeaderSize
 * ({@link TooLongHttpHeaderException}, excluding the CRLFs); a field name is a non-empty token
 * followed by the colon (a response may have whitespace before the colon, which is dropped: RFC 9112
 * section 5.1 has a proxy remove it); a value has no CTL but HTAB (leading and trailing SP/HTAB are
 * not part of it); obs-fold fails (section 5.2: a server rejects it, a proxy may answer 502).
 * Framing (section 6): Content-Length is digits only, one value on HTTP/1.1 (a comma list or a
 * second line fails); Transfer-Encoding only on HTTP/1.1, its codings ending in exactly one
 * {@code chunked}, never with Content-Length.
 */
abstract class HeadParser {
    static final boolean[] TOKEN = new boolean[256];
    static final byte[] CONTENT_LENGTH = lower("content-length");
    static final byte[] TRANSFER_ENCODING = lower("transfer-encoding");
    private static final byte[] CHUNKED = lower("chunked");

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

    static final ByteProcessor IS_TOKEN = b -> TOKEN[b & 0xff];
    /** Field-value bytes: no CTL but HTAB, no DEL (obs-text allowed, as Netty's validation). */
    static final ByteProcessor IS_VALUE_BYTE = b -> (b & 0xff) >= 0x20 && b != 0x7f || b == '\t';

    final int maxLine;
    final int maxHeaders;
    /** Responses: whitespace between a field name and its colon is dropped (RFC 9112 section 5.1). */
    private final boolean owsBeforeColon;

    // Progress through the head being read; offsets are relative to the buffer's reader index,
    // which stays at the head's first byte until the head is complete.
    boolean lineRead;
    int scan;
    int headerSize;
    /** name start, name end, value start, value end per field line. */
    int[] at = new int[32];
    int count;
    /** The last field line read is checked when the next line has been read (Netty's order). */
    private boolean pending;

    // Framing, set by framing().
    long contentLength;
    /** How many Content-Length field lines the head has. */
    int lengths;
    boolean chunked;

    HeadParser(int maxLine, int maxHeaders, boolean owsBeforeColon) {
        this.maxLine = maxLine;
        this.maxHeaders = maxHeaders;
        this.owsBeforeColon = owsBeforeColon;
    }

    /** Whether the start line of an incomplete head was read. */
    final boolean startLineRead() {
        return lineRead;
    }

    void reset() {
        lineRead = false;
        scan = 0;
        headerSize = 0;
        count = 0;
        pending = false;
    }

    /**
     * Reads field lines up to the empty line that ends the head; true when it was read (then
     * {@code scan} is the head's length from the reader index), false while more bytes are needed.
     */
    final boolean readFields(ByteBuf in) {
        final int base = in.readerIndex();
        final int end = in.writerIndex();
        while (true) {
            final int from = base + scan;
            final int lf = lineEnd(in, from, end, maxHeaders - headerSize, false);
            if (lf < 0) {
                return false;
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
                return true;
            }
            splitField(in, base, from, contentEnd);
        }
    }

    /** Skips CR and LF bytes before a start line, as Netty does; false while only those arrived. */
    final boolean skipEmptyLines(ByteBuf in) {
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
    final int lineEnd(ByteBuf in, int from, int end, int budget, boolean startLine) {
        final int toProcess = (int) Math.min(budget + 2L, end - from);
        final int lf = in.indexOf(from, from + toProcess, (byte) '\n');
        if (lf < 0) {
            if (end - from > budget) {
                throw tooLong(startLine);
            }
            return -1;
        }
        if (lf == from || in.getByte(lf - 1) != '\r') {
            throw new IllegalArgumentException("Line Feed must be preceded by Carriage Return");
        }
        if (lf - 1 - from > budget) {
            throw tooLong(startLine);
        }
        return lf;
    }

    private RuntimeException tooLong(boolean startLine) {
        return startLine ? new TooLongHttpLineException("An HTTP line is larger than " + maxLine + " bytes.")
                : new TooLongHttpHeaderException("HTTP header is larger than " + maxHeaders + " bytes.");
    }

    /** HTTP/1.1 or HTTP/1.0 at {@code i}, exactly (8 bytes). */
    static boolean isHttp1(ByteBuf in, int i) {
        return in.getByte(i) == 'H' && in.getByte(i + 1) == 'T' && in.getByte(i + 2) == 'T' && in.getByte(i + 3) == 'P'
                && in.getByte(i + 4) == '/' && in.getByte(i + 5) == '1' && in.getByte(i + 6) == '.'
                && (in.getByte(i + 7) == '1' || in.getByte(i + 7) == '0');
    }

    static HttpVersion http1(ByteBuf in, int i) {
        return in.getByte(i + 7) == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
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
        int nameEnd = colon;
        if (owsBeforeColon) {
            while (nameEnd > from && (in.getByte(nameEnd - 1) == ' ' || in.getByte(nameEnd - 1) == '\t')) {
                nameEnd--;
            }
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
        at[k + 1] = nameEnd - base;
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

    /** Called by {@link #framing} for every field that is neither Content-Length nor Transfer-Encoding. */
    void otherField(ByteBuf in, int base, int field) {
    }

    /**
     * The message's framing from its complete field lines (sets {@link #contentLength}, -1 when
     * absent, {@link #lengths} and {@link #chunked}), as RFC 9112 section 6 and Netty's decoder
     * decide it; fails on a conflict.
     */
    final void framing(ByteBuf in, int base, boolean http11) {
        contentLength = -1;
        lengths = 0;
        chunked = false;
        int firstLength = -1;
        int codings = 0;
        for (int f = 0; f < count; f++) {
            if (nameIs(in, base, f, CONTENT_LENGTH)) {
                if (lengths++ == 0) {
                    firstLength = f;
                }
            } else if (nameIs(in, base, f, TRANSFER_ENCODING)) {
                codings++;
            } else {
                otherField(in, base, f);
            }
        }
        if (lengths > 0) {
            final int vs = base + at[firstLength * 4 + 2];
            final int ve = base + at[firstLength * 4 + 3];
            if (http11 && (lengths > 1 || in.indexOf(vs, ve, (byte) ',') >= 0)) {
                throw new IllegalArgumentException("Multiple Content-Length values found");
            }
            contentLength = digits(in, vs, ve);
        }
        if (codings > 0) {
            if (!http11) {
                throw new IllegalArgumentException("The Transfer-Encoding header is only allowed in HTTP/1.1 or newer");
            }
            chunked = lastCodingIsChunked(in, base);
            if (lengths > 0) {
                throw new IllegalArgumentException("Content-Length are not allowed with Transfer-Encoding");
            }
        }
    }

    /** The head's bytes copied once, and its fields over them. */
    final FieldLines fields(ByteBuf in, int base, byte[] head) {
        in.getBytes(base, head);
        return new FieldLines(head, count == 0 ? new int[0] : Arrays.copyOf(at, count * 4), count);
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
            throw new IllegalArgumentException("The final transfer coding must be chunked");
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

    final boolean nameIs(ByteBuf in, int base, int field, byte[] lower) {
        final int start = base + at[field * 4];
        return at[field * 4 + 1] - at[field * 4] == lower.length && equalsLower(in, start, lower);
    }

    static boolean equalsLower(ByteBuf in, int at, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            final int b = in.getByte(at + k);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    static byte[] lower(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
