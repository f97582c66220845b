package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/**
 * Scans an HTTP/1.1 response head from a backend once (RFC 9112), with {@link HeadParser}'s line,
 * field-line and framing rules (one implementation with the request side), and records where each
 * field's name and value are, so the kept field lines reach the client as received
 * ({@link FieldLines}). The status line is {@code HTTP-version SP status-code SP [reason-phrase]}
 * (section 4). It accepts what Netty's validating response decoder accepts (a failure is the
 * exchange's 502) except where RFC 9112 lets a proxy refuse and this parser does (502 where Netty
 * would forward): versions other than exactly {@code HTTP/1.0} and {@code HTTP/1.1}, a status code
 * that is not three digits within 100-599 (RFC 9110 section 15), separators other than one SP, a
 * reason phrase with CTLs, obs-fold (section 5.2: Netty joins the lines), other bytes than
 * whitespace between a field name and its colon (Netty skips them), Transfer-Encoding together with
 * Content-Length or on HTTP/1.0 (section 6.3: "ought to be handled as an error"; Netty drops the
 * Content-Length), and a final coding other than chunked (Netty reads such a body to the close).
 */
final class ResponseHeadParser extends HeadParser {
    /** A complete, valid head; {@code contentLength} is -1 when absent. */
    record Head(HttpVersion version, HttpResponseStatus status, FieldLines fields, long contentLength,
                boolean chunked, int headerSize) {
    }

    private HttpVersion version;
    private HttpResponseStatus status;

    ResponseHeadParser(int maxLine, int maxHeaders) {
        super(maxLine, maxHeaders, true);
    }

    @Override
    void reset() {
        super.reset();
        version = null;
        status = null;
    }

    /**
     * The head at the reader index once it is complete (the reader index then moves past it), or
     * null while more bytes are needed.
     *
     * @throws TooLongHttpLineException status line over maxInitialLineLength
     * @throws TooLongHttpHeaderException field lines over maxHeaderSize
     * @throws IllegalArgumentException anything else that is malformed
     */
    Head parse(ByteBuf in) {
        if (!lineRead) {
            if (!skipEmptyLines(in) || !readStatusLine(in)) {
                return null;
            }
        }
        if (!readFields(in)) {
            return null;
        }
        framing(version == HttpVersion.HTTP_1_1);
        final int headSize = headerSize;
        final FieldLines fields = fields(in);
        if (lengths > 1) {
            // HTTP/1.0 only (HTTP/1.1 failed above): Netty keeps the first value as one field.
            fields.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        final Head head = new Head(version, status, fields, contentLength, chunked, headSize);
        reset();
        return head;
    }

    /** HTTP-version SP 3DIGIT [SP reason-phrase] CRLF. */
    private boolean readStatusLine(ByteBuf in) {
        final int lf = lineEnd(in, 0, maxLine, true);
        if (lf < 0) {
            return false;
        }
        final int end = lf - 1;
        if (end < 12 || !isHttp1(0) || h[8] != ' ') {
            throw new IllegalArgumentException("Invalid HTTP version in status line");
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            final int d = h[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("Invalid status code");
            }
            code = code * 10 + d;
        }
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("Status code out of range: " + code);
        }
        final int reason = 13;
        if (end > 12) {
            if (h[12] != ' ') {
                throw new IllegalArgumentException("Invalid separator in status line");
            }
            if (end > reason && skipValue(reason, end) >= 0) {
                throw new IllegalArgumentException("Invalid reason phrase");
            }
        }
        // The reason phrase without surrounding whitespace, as Netty's decoder has it.
        int from = reason;
        int to = Math.max(reason, end);
        while (from < to && isOws(h[from])) {
            from++;
        }
        while (to > from && isOws(h[to - 1])) {
            to--;
        }
        version = http1(0);
        status = status(code, from, to);
        scan = lf + 1;
        lineRead = true;
        return true;
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Netty's shared status object when the reason is the standard one (no allocation), else a new one. */
    private HttpResponseStatus status(int code, int from, int to) {
        final HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        final String phrase = standard.reasonPhrase();
        if (phrase.length() == to - from) {
            boolean same = true;
            for (int i = 0; i < phrase.length() && same; i++) {
                same = h[from + i] == phrase.charAt(i);
            }
            if (same) {
                return standard;
            }
        }
        return new HttpResponseStatus(code, new String(h, from, to - from, StandardCharsets.ISO_8859_1));
    }
}
