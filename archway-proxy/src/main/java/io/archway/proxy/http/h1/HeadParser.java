package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
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

    /** Field-value bytes: no CTL but HTAB, no DEL (obs-text allowed, as Netty's validation). */
    static boolean isValueByte(int b) {
        return (b & 0xff) >= 0x20 && b != 0x7f || b == '\t';
    }

    /** How many more bytes of the buffer a scan copies at least when it runs out of copied ones. */
    private static final int COPY_STEP = 512;

    final int maxLine;
    final int maxHeaders;
    /** Responses: whitespace between a field name and its colon is dropped (RFC 9112 section 5.1). */
    private final boolean owsBeforeColon;

    // Progress through the head being read. The buffer's reader index stays at the head's first byte
    // until the head is complete, so offsets are relative to it: the scans read a copy of the head's
    // bytes (h[0..copied) is the buffer from the reader index), which costs one copy of a few hundred
    // bytes and saves a bounds-checked buffer access per byte; the copy becomes FieldLines' own.
    byte[] h = new byte[COPY_STEP];
    int copied;
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
        copied = 0;
        lineRead = false;
        scan = 0;
        headerSize = 0;
        count = 0;
        pending = false;
    }

    /**
     * Copies more of the buffer's readable bytes after the copied ones (at least {@link #COPY_STEP},
     * or all there are); false when none are left.
     */
    private boolean copyMore(ByteBuf in) {
        final int readable = in.readableBytes();
        if (copied >= readable) {
            return false;
        }
        final int target = Math.min(readable, copied + Math.max(COPY_STEP, copied));
        if (target > h.length) {
            h = Arrays.copyOf(h, Math.max(target, h.length * 2));
        }
        in.getBytes(in.readerIndex() + copied, h, copied, target - copied);
        copied = target;
        return true;
    }

    /**
     * Reads field lines up to the empty line that ends the head; true when it was read (then
     * {@code scan} is the head's length from the reader index), false while more bytes are needed.
     */
    final boolean readFields(ByteBuf in) {
        while (true) {
            final int from = scan;
            final int lf = lineEnd(in, from, maxHeaders - headerSize, false);
            if (lf < 0) {
                return false;
            }
            final int contentEnd = lf - 1;
            final int length = contentEnd - from;
            headerSize += length;
            if (pending) {
                checkField(count - 1);
                pending = false;
            }
            scan = lf + 1;
            if (length == 0) {
                return true;
            }
            splitField(from, contentEnd);
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
            copied = 0;
            if (readable > maxLine) {
                throw new TooLongHttpLineException("An HTTP line is larger than " + maxLine + " bytes.");
            }
            return false;
        }
        final int first = in.getByte(i) & 0xff;
        if (Character.isISOControl(first)) {
            throw new IllegalArgumentException("Line Feed must be preceded by Carriage Return");
        }
        if (i != in.readerIndex()) {
            in.readerIndex(i);
            copied = 0;
        }
        return true;
    }

    /**
     * The index of the LF ending the line at {@code from}, or -1 when it has not arrived; the line
     * must end in CRLF and its content fit in {@code budget} bytes. Copies the buffer's bytes as far
     * as the search needs them.
     */
    final int lineEnd(ByteBuf in, int from, int budget, boolean startLine) {
        final int readable = in.readableBytes();
        final int stop = from + (int) Math.min(budget + 2L, readable - from);
        int i = from;
        int lf = -1;
        while (lf < 0) {
            final int limit = Math.min(stop, copied);
            while (i < limit) {
                if (h[i] == '\n') {
                    lf = i;
                    break;
                }
                i++;
            }
            if (lf < 0 && (limit == stop || !copyMore(in))) {
                break;
            }
        }
        if (lf < 0) {
            if (readable - from > budget) {
                throw tooLong(startLine);
            }
            return -1;
        }
        if (lf == from || h[lf - 1] != '\r') {
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
    final boolean isHttp1(int i) {
        return h[i] == 'H' && h[i + 1] == 'T' && h[i + 2] == 'T' && h[i + 3] == 'P' && h[i + 4] == '/'
                && h[i + 5] == '1' && h[i + 6] == '.' && (h[i + 7] == '1' || h[i + 7] == '0');
    }

    final HttpVersion http1(int i) {
        return h[i + 7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
    }

    /** The first index in [from, to) whose byte is not a token character, or -1. */
    final int skipToken(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!TOKEN[h[i] & 0xff]) {
                return i;
            }
        }
        return -1;
    }

    /** The first index in [from, to) whose byte is not a field-value byte, or -1. */
    final int skipValue(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isValueByte(h[i])) {
                return i;
            }
        }
        return -1;
    }

    /** The first index of {@code b} in [from, to), or -1. */
    final int indexOf(int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (h[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Records the field line [from, end): checks what Netty checks as it splits a line. */
    private void splitField(int from, int end) {
        final byte first = h[from];
        if ((first == ' ' || first == '\t') && count > 0) {
            throw new IllegalArgumentException("obs-fold is not accepted (RFC 9112 section 5.2)");
        }
        final int colon = indexOf(from, end, (byte) ':');
        if (colon < 0) {
            throw new IllegalArgumentException("No colon found");
        }
        int nameEnd = colon;
        if (owsBeforeColon) {
            while (nameEnd > from && (h[nameEnd - 1] == ' ' || h[nameEnd - 1] == '\t')) {
                nameEnd--;
            }
        }
        int v = colon + 1;
        while (v < end) {
            final int b = h[v] & 0xff;
            if (b == ' ' || b == '\t') {
                v++;
            } else if (Character.isWhitespace(b)) {
                throw new IllegalArgumentException("Invalid separator before a field value");
            } else {
                break;
            }
        }
        int ve = end;
        while (ve > v && (h[ve - 1] == ' ' || h[ve - 1] == '\t')) {
            ve--;
        }
        if (count * 4 == at.length) {
            at = Arrays.copyOf(at, at.length * 2);
        }
        final int k = count * 4;
        at[k] = from;
        at[k + 1] = nameEnd;
        at[k + 2] = v;
        at[k + 3] = ve;
        count++;
        pending = true;
    }

    /** The name is a token and the value has no CTL but HTAB (Netty's validating headers). */
    private void checkField(int field) {
        final int k = field * 4;
        final int nameStart = at[k];
        final int nameEnd = at[k + 1];
        if (nameStart == nameEnd) {
            throw new IllegalArgumentException("empty headers are not allowed");
        }
        if (skipToken(nameStart, nameEnd) >= 0) {
            throw new IllegalArgumentException("a header name can only contain token characters");
        }
        if (skipValue(at[k + 2], at[k + 3]) >= 0) {
            throw new IllegalArgumentException("a header value contains a prohibited character");
        }
    }

    /** Called by {@link #framing} for every field that is neither Content-Length nor Transfer-Encoding. */
    void otherField(int field) {
    }

    /**
     * The message's framing from its complete field lines (sets {@link #contentLength}, -1 when
     * absent, {@link #lengths} and {@link #chunked}), as RFC 9112 section 6 and Netty's decoder
     * decide it; fails on a conflict.
     */
    final void framing(boolean http11) {
        contentLength = -1;
        lengths = 0;
        chunked = false;
        int firstLength = -1;
        int codings = 0;
        for (int f = 0; f < count; f++) {
            if (nameIs(f, CONTENT_LENGTH)) {
                if (lengths++ == 0) {
                    firstLength = f;
                }
            } else if (nameIs(f, TRANSFER_ENCODING)) {
                codings++;
            } else {
                otherField(f);
            }
        }
        if (lengths > 0) {
            final int vs = at[firstLength * 4 + 2];
            final int ve = at[firstLength * 4 + 3];
            if (http11 && (lengths > 1 || indexOf(vs, ve, (byte) ',') >= 0)) {
                throw new IllegalArgumentException("Multiple Content-Length values found");
            }
            contentLength = digits(vs, ve);
        }
        if (codings > 0) {
            if (!http11) {
                throw new IllegalArgumentException("The Transfer-Encoding header is only allowed in HTTP/1.1 or newer");
            }
            chunked = lastCodingIsChunked();
            if (lengths > 0) {
                throw new IllegalArgumentException("Content-Length are not allowed with Transfer-Encoding");
            }
        }
    }

    /**
     * The head is complete ({@code scan} bytes from the reader index): its fields over its own copy
     * of the bytes, and the reader index moved past it.
     */
    final FieldLines fields(ByteBuf in) {
        final byte[] head = Arrays.copyOf(h, scan);
        in.skipBytes(scan);
        return new FieldLines(head, count == 0 ? new int[0] : Arrays.copyOf(at, count * 4), count);
    }

    /** Netty's rule: some coding is chunked, chunked at most once, and it is the last coding. */
    private boolean lastCodingIsChunked() {
        boolean seen = false;
        boolean last = false;
        for (int f = 0; f < count; f++) {
            if (!nameIs(f, TRANSFER_ENCODING)) {
                continue;
            }
            int i = at[f * 4 + 2];
            final int end = at[f * 4 + 3];
            while (i <= end) {
                int comma = indexOf(i, end, (byte) ',');
                final int stop = comma < 0 ? end : comma;
                int s = i;
                int e = stop;
                while (s < e && (h[s] == ' ' || h[s] == '\t')) {
                    s++;
                }
                while (e > s && (h[e - 1] == ' ' || h[e - 1] == '\t')) {
                    e--;
                }
                if (s < e) {
                    last = e - s == CHUNKED.length && equalsLower(s, CHUNKED);
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

    private long digits(int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("Content-Length value is not a number");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            final int d = h[i] - '0';
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

    final boolean nameIs(int field, byte[] lower) {
        return at[field * 4 + 1] - at[field * 4] == lower.length && equalsLower(at[field * 4], lower);
    }

    final boolean equalsLower(int from, byte[] lower) {
        return Ascii.regionEqualsLower(h, from, lower, lower.length);
    }

    static byte[] lower(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
