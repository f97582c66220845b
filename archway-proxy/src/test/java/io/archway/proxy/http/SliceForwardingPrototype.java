package io.archway.proxy.http;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A measuring prototype (not used by the proxy) of the response side of slice forwarding, which is
 * not built yet (the request side is {@code io.archway.proxy.http.h1}): it scans a response head
 * once, records where each field line starts and ends, and writes the head out by copying the byte
 * ranges of the fields it keeps. {@link Http1HotPathBenchmark} runs it against Netty's decode +
 * encode of the same bytes to measure what a response parser could save; it is not a
 * differential-tested parser and must not serve traffic.
 */
final class SliceForwardingPrototype {
    private static final byte[] HOST = bytes("host");
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[][] HOP_BY_HOP = {bytes("connection"), bytes("keep-alive"), bytes("proxy-connection"),
        bytes("te"), bytes("trailer"), bytes("upgrade"), bytes("expect"), bytes("x-forwarded-for"),
        bytes("x-forwarded-proto")};
    private static final boolean[] TOKEN = new boolean[256];

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

    private final int maxLine;
    private final int maxHeaders;
    /** Start and end (exclusive, before CRLF) of each kept field line; reused per message. */
    private int[] kept = new int[64];
    private int keptCount;
    private int lineEnd;
    /** Where the head ends (after the empty line); the body starts there. */
    int headEnd;
    long contentLength;
    boolean chunked;

    SliceForwardingPrototype(int maxLine, int maxHeaders) {
        this.maxLine = maxLine;
        this.maxHeaders = maxHeaders;
    }

    /** Parses a response head (status line, fields). */
    boolean parseResponse(ByteBuf in) {
        final int start = in.readerIndex();
        final int end = in.writerIndex();
        if (end - start < 14 || !isVersion(in, start) || in.getByte(start + 8) != ' ') {
            return false;
        }
        for (int i = start + 9; i < start + 12; i++) {
            final byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        int i = start + 12;
        if (in.getByte(i) != ' ' && in.getByte(i) != '\r') {
            return false;
        }
        while (i < end && in.getByte(i) != '\r') {
            final int b = in.getByte(i) & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f || b == '\n') {
                return false;
            }
            i++;
        }
        if (i + 1 >= end || in.getByte(i + 1) != '\n') {
            return false;
        }
        lineEnd = i;
        return parseFields(in, i + 2, end, false);
    }

    private static boolean isVersion(ByteBuf in, int i) {
        return in.getByte(i) == 'H' && in.getByte(i + 1) == 'T' && in.getByte(i + 2) == 'T' && in.getByte(i + 3) == 'P'
                && in.getByte(i + 4) == '/' && in.getByte(i + 5) == '1' && in.getByte(i + 6) == '.'
                && (in.getByte(i + 7) == '1' || in.getByte(i + 7) == '0');
    }

    private boolean parseFields(ByteBuf in, int i, int end, boolean request) {
        final int fieldsStart = i;
        keptCount = 0;
        int hosts = 0;
        int lengths = 0;
        contentLength = -1;
        chunked = false;
        boolean codings = false;
        while (true) {
            if (i + 1 >= end || i - fieldsStart > maxHeaders) {
                return false; // incomplete (a real parser waits for more) or too large
            }
            final byte first = in.getByte(i);
            if (first == '\r') {
                if (in.getByte(i + 1) != '\n') {
                    return false;
                }
                headEnd = i + 2;
                break;
            }
            if (first == ' ' || first == '\t') {
                return false; // obs-fold (RFC 9112 section 5.2): rejected
            }
            final int nameStart = i;
            while (i < end && TOKEN[in.getByte(i) & 0xff]) {
                i++;
            }
            if (i == nameStart || i >= end || in.getByte(i) != ':') {
                return false; // empty name, a non-token byte, or whitespace before the colon
            }
            final int nameEnd = i++;
            while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
                i++;
            }
            final int valueStart = i;
            int valueEnd = i;
            while (true) {
                if (i >= end) {
                    return false;
                }
                final int b = in.getByte(i) & 0xff;
                if (b == '\r') {
                    break;
                }
                if (b < 0x20 && b != '\t' || b == 0x7f) {
                    return false; // CTL, bare LF
                }
                if (b != ' ' && b != '\t') {
                    valueEnd = i + 1;
                }
                i++;
            }
            if (i + 1 >= end || in.getByte(i + 1) != '\n') {
                return false; // bare CR
            }
            final int len = nameEnd - nameStart;
            boolean keep = true;
            if (nameIs(in, nameStart, len, HOST)) {
                hosts++;
            } else if (nameIs(in, nameStart, len, CONTENT_LENGTH)) {
                lengths++;
                contentLength = digits(in, valueStart, valueEnd);
                if (contentLength < 0) {
                    return false;
                }
            } else if (nameIs(in, nameStart, len, TRANSFER_ENCODING)) {
                if (codings || !valueIs(in, valueStart, valueEnd, CHUNKED)) {
                    return false; // 501 in RequestValidator
                }
                codings = true;
                chunked = true;
                keep = false;
            } else {
                for (byte[] hop : HOP_BY_HOP) {
                    if (nameIs(in, nameStart, len, hop)) {
                        keep = false;
                        break;
                    }
                }
            }
            if (keep) {
                if (keptCount * 2 == kept.length) {
                    kept = java.util.Arrays.copyOf(kept, kept.length * 2);
                }
                kept[keptCount * 2] = nameStart;
                kept[keptCount * 2 + 1] = i;
                keptCount++;
            }
            i += 2;
        }
        if (lengths > 1 || lengths == 1 && codings) {
            return false;
        }
        return !request || hosts == 1;
    }

    private static boolean nameIs(ByteBuf in, int at, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if ((in.getByte(at + k) | 0x20) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueIs(ByteBuf in, int from, int to, byte[] lower) {
        return to - from == lower.length && nameIs(in, from, lower.length, lower);
    }

    private static long digits(ByteBuf in, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int k = from; k < to; k++) {
            final byte b = in.getByte(k);
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    /**
     * Writes the parsed head to {@code out}: the start line and the kept field lines as byte
     * ranges of {@code in}, then {@code added} (pre-encoded field lines, each ending in CRLF) and
     * the empty line. The reader index of {@code in} moves to the body.
     */
    void forward(ByteBuf in, ByteBuf out, byte[] added) {
        final int start = in.readerIndex();
        out.writeBytes(in, start, lineEnd + 2 - start);
        for (int k = 0; k < keptCount; k++) {
            final int from = kept[k * 2];
            out.writeBytes(in, from, kept[k * 2 + 1] + 2 - from);
        }
        if (chunked) {
            out.writeBytes(CHUNKED_LINE);
        }
        out.writeBytes(added);
        out.writeShort(('\r' << 8) | '\n');
        in.readerIndex(headEnd);
    }

    private static final byte[] CHUNKED_LINE = bytes("transfer-encoding: chunked\r\n");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
