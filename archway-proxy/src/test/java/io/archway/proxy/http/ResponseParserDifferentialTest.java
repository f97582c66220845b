package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.h1.Http1ClientCodec;
import io.archway.proxy.http.h1.Http1Parser;
import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The slice-forwarding response decoder ({@code ResponseHeadDecoder}) against Netty's
 * {@link HttpResponseDecoder}, each inside the proxy's upstream {@link Http1ClientCodec} (which tells
 * the decoder which request each response answers: HEAD, GET, CONNECT) and configured by
 * {@link HttpCodecConfig#client} with small limits: random response streams from a grammar with
 * mutations (conflicting and duplicate framing fields, bodies delimited by length, chunks and the
 * close, interim 1xx, 101, 204 and 304, responses to HEAD, obs-fold, bare CR and LF, NUL and other
 * CTLs, whitespace before the colon, oversized lines and heads, invalid status lines), each fed to
 * both decoders split at random byte boundaries and then closed. For every response both must give
 * the same outcome, and a forwarded one the same bytes to the client (status line and fields after
 * the hop-by-hop strip and a response header filter's edit, encoded by the downstream
 * {@code Http1ServerCodec}, which copies received field lines), body and trailers. The one allowed
 * difference: the slice decoder fails (the exchange's 502) where it is deliberately stricter, and
 * only for inputs that contain such a construct. Paranoid leak detection covers both decoders.
 */
@ExtendWith(LeakCheck.PerClass.class)
class ResponseParserDifferentialTest {
    private static final int MAX_LINE = 256;
    private static final int MAX_HEADERS = 512;

    private static HttpDecoderConfig config() {
        return HttpCodecConfig.client().setMaxInitialLineLength(MAX_LINE).setMaxHeaderSize(MAX_HEADERS);
    }

    @Test
    void sameOutcomesOnRandomResponseStreams() {
        final long seed = Long.getLong("archway.fuzz.seed", 20261204L);
        final int cases = Integer.getInteger("archway.fuzz.cases", 6_000);
        final Random random = new Random(seed);
        int forwarded = 0;
        int failed = 0;
        int stricter = 0;
        for (int n = 0; n < cases; n++) {
            final Case c = new Generator(random).stream();
            final long split = random.nextLong();
            final List<String> netty = outcomes(false, c, new Random(split));
            final List<String> slice = outcomes(true, c, new Random(split));
            if (netty.equals(slice)) {
                for (String o : netty) {
                    if (o.startsWith("FORWARD")) {
                        forwarded++;
                    } else if (o.startsWith("FAIL")) {
                        failed++;
                    }
                }
                continue;
            }
            final int d = firstDifference(netty, slice);
            final String detail = "case " + n + " (seed " + seed + "), methods " + c.methods + ":\n"
                    + SliceParserDifferentialTest.printable(c.bytes) + "\nnetty: " + netty + "\nslice: " + slice;
            assertThat(c.stricter).as("only deliberately stricter inputs may differ; " + detail).isTrue();
            assertThat(slice.get(d)).as(detail).isEqualTo("FAIL");
            stricter++;
        }
        // The grammar must reach each kind of outcome, or the comparison proves little.
        System.out.printf("response streams: %d, forwarded %d, failed %d, deliberately stricter %d%n", cases,
                forwarded, failed, stricter);
        assertThat(forwarded).as("forwarded responses").isGreaterThan(cases / 4);
        assertThat(failed).as("failed responses").isGreaterThan(cases / 10);
        assertThat(stricter).as("deliberately stricter cases").isPositive();
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    /** What the proxy would make of each response in the case, with either decoder. */
    static List<String> outcomes(boolean slice, Case c, Random split) {
        final EmbeddedChannel upstream = new EmbeddedChannel();
        new Http1ClientCodec(config(), slice).addLast(upstream.pipeline());
        final EmbeddedChannel downstream = new EmbeddedChannel();
        Http1Parser.CODEC.serverCodec(HttpCodecConfig.server(8192, 8192)).addLast(downstream.pipeline());
        try {
            for (HttpMethod m : c.methods) {
                upstream.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, "/", Unpooled.EMPTY_BUFFER));
                drain(upstream);
            }
            final byte[] bytes = c.bytes;
            int at = 0;
            while (at < bytes.length) {
                final int n = split.nextInt(4) == 0 ? bytes.length - at : 1 + split.nextInt(Math.min(64, bytes.length - at));
                upstream.writeInbound(Unpooled.copiedBuffer(bytes, at, n));
                at += n;
            }
            upstream.finish(); // the backend closes: ends a body delimited by the close
            return read(upstream, downstream);
        } finally {
            upstream.finishAndReleaseAll();
            downstream.finishAndReleaseAll();
        }
    }

    private static String drain(EmbeddedChannel ch) {
        final StringBuilder bytes = new StringBuilder();
        Object b;
        while ((b = ch.readOutbound()) != null) {
            if (b instanceof ByteBuf buf) {
                bytes.append(buf.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(b);
        }
        return bytes.toString();
    }

    private static List<String> read(EmbeddedChannel upstream, EmbeddedChannel downstream) {
        final List<String> out = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean stopped = false;
        Object msg;
        while ((msg = upstream.readInbound()) != null) {
            try {
                if (stopped) {
                    continue;
                }
                if (msg instanceof HttpResponse response) {
                    if (response.decoderResult().isFailure()) {
                        out.add("FAIL");
                        stopped = true;
                        continue;
                    }
                    final int code = response.status().code();
                    if (code < 200 && code != 101) {
                        out.add("INTERIM " + code + " " + fields(response.headers()));
                        continue;
                    }
                    out.add("FORWARD " + forwarded(response, downstream));
                }
                if (msg instanceof HttpContent content) {
                    if (content.decoderResult().isFailure()) {
                        out.add("BODY FAILED");
                        stopped = true;
                        continue;
                    }
                    content.content().getBytes(content.content().readerIndex(), body, content.content().readableBytes());
                    if (content instanceof LastHttpContent last) {
                        out.add("BODY " + SliceParserDifferentialTest.printable(body.toByteArray()) + " TRAILERS "
                                + fields(last.trailingHeaders()));
                        body.reset();
                    }
                } else if (msg instanceof ByteBuf raw) {
                    out.add("RAW " + raw.toString(StandardCharsets.ISO_8859_1));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return out;
    }

    /** The head the proxy would write downstream (as HttpRouter.onResponseHead edits it), and what it knew. */
    private static String forwarded(HttpResponse response, EmbeddedChannel downstream) {
        final String seen = response.protocolVersion() + " " + response.status() + " keep-alive="
                + io.netty.handler.codec.http.HttpUtil.isKeepAlive(response);
        downstream.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        Object req;
        while ((req = downstream.readInbound()) != null) {
            ReferenceCountUtil.release(req);
        }
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(response.headers());
        headers.set(AsciiString.cached("x-filter"), "set");
        headers.remove(AsciiString.cached("x-remove"));
        downstream.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers),
                LastHttpContent.EMPTY_LAST_CONTENT);
        return seen + " => " + SliceParserDifferentialTest.printable(drain(downstream).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String fields(HttpHeaders headers) {
        final StringBuilder s = new StringBuilder();
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> e = it.next();
            s.append(e.getKey()).append(": ").append(e.getValue()).append("; ");
        }
        return s.toString();
    }

    /** A response stream, the methods of the requests it answers, and whether it holds a construct the slice decoder rejects on purpose. */
    record Case(byte[] bytes, List<HttpMethod> methods, boolean stricter) {
    }

    /** Random response streams: a grammar of response heads and bodies, then byte-level mutations. */
    static final class Generator {
        private static final String[] NAMES = {"Content-Type", "Server", "Date", "Set-Cookie", "Connection",
            "Keep-Alive", "TE", "Upgrade", "Trailer", "Proxy-Connection", "x-http2-stream-id", "Via", "X-Empty",
            "X-Remove", "Cache-Control", "X-Custom"};
        private static final String[] VALUES = {"a", "text/html; charset=utf-8", "keep-alive", "close",
            "X-Custom, Via", "trailers", "websocket", "  padded  ", "", "\u00e9t\u00e9", "a\tb", "nginx", "no-store",
            "id=1; Path=/"};
        private static final int[] CODES = {200, 200, 200, 200, 201, 204, 206, 301, 304, 400, 404, 500, 503, 100, 103,
            101};
        private final Random r;
        private final List<HttpMethod> methods = new ArrayList<>();
        private boolean stricter;
        private boolean closed;

        Generator(Random r) {
            this.r = r;
        }

        Case stream() {
            final StringBuilder s = new StringBuilder();
            final int responses = 1 + r.nextInt(3);
            for (int i = 0; i < responses && !closed; i++) {
                response(s);
            }
            return new Case(s.toString().getBytes(StandardCharsets.ISO_8859_1), methods, stricter);
        }

        private String pick(String[] values) {
            return values[r.nextInt(values.length)];
        }

        private boolean chance(int percent) {
            return r.nextInt(100) < percent;
        }

        private void response(StringBuilder s) {
            if (chance(3)) {
                s.append(chance(50) ? "\r\n" : "\n");
            }
            String version = chance(88) ? "HTTP/1.1" : "HTTP/1.0";
            if (chance(3)) {
                version = new String[] {"HTTP/1.2", "http/1.1", "HTTP/2.0", "HTTP/11", "HTTP/1.1x", "XTTP/1.1"}[r.nextInt(6)];
                stricter = true;
            }
            final int code = CODES[r.nextInt(CODES.length)];
            String status = Integer.toString(code);
            if (chance(2)) {
                status = new String[] {"2000", "99", "20x", "600", "099", " 200", "-20"}[r.nextInt(7)];
                stricter = true;
            }
            String reason = " " + pick(new String[] {"OK", "OK", "", "Fine Thanks", "Not Found", "Whatever"});
            if (chance(5)) {
                reason = "";
            }
            if (chance(2)) {
                reason = new String[] {"\tOK", " O\u0001K", "  OK", " OK\u007f"}[r.nextInt(4)];
                stricter = true;
            }
            final boolean interim = code < 200 && code != 101 && !status.startsWith(" ");
            if (!interim) {
                methods.add(chance(12) ? HttpMethod.HEAD : chance(2) ? HttpMethod.CONNECT : HttpMethod.GET);
            }
            s.append(version).append(' ').append(status).append(reason).append(eol());
            final List<String> fields = new ArrayList<>();
            final int others = r.nextInt(chance(5) ? 30 : 5);
            for (int i = 0; i < others; i++) {
                String name = pick(NAMES);
                if (code == 101 && "Upgrade".equals(name)) {
                    name = "Via"; // a 101's Upgrade is chosen below, with the draft-76 difference in mind
                }
                fields.add(cased(name) + ":" + ows() + pick(VALUES) + ows());
            }
            if (code == 101 && chance(70)) {
                // RFC 6455's 101 always has Sec-WebSocket-Accept; without it Netty reads a draft-76
                // (hixie) handshake body after the 101, where this decoder, as RFC 9110 section 15.2
                // says of every 1xx, reads none.
                fields.add(chance(80) ? "Upgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
                        : "Upgrade: HTTP/1.1");
            }
            int length = -1;
            boolean chunked = false;
            final int framing = r.nextInt(10);
            if (framing < 5) {
                length = r.nextInt(20);
                fields.add(cased("Content-Length") + ":" + ows() + contentLength(length, "HTTP/1.1".equals(version)));
                if (chance(8)) {
                    fields.add(cased("Content-Length") + ": " + (chance(50) ? length : length + 1));
                    stricter |= !"HTTP/1.1".equals(version); // HTTP/1.0: Netty takes the first; so do we
                }
            } else if (framing < 8) {
                chunked = true;
                final String codings = codings();
                fields.add(cased("Transfer-Encoding") + ":" + ows() + codings);
                stricter |= !chunkedOnceAndLast(codings) || !"HTTP/1.1".equals(version);
                if (chance(6)) {
                    fields.add(cased("Transfer-Encoding") + ": " + codings());
                    stricter = true;
                }
                if (chance(8)) {
                    fields.add("Content-Length: 3");
                    stricter = true;
                }
            }
            java.util.Collections.shuffle(fields, r);
            for (String f : fields) {
                s.append(mutateField(f)).append(eol());
                if (chance(1)) {
                    s.append(chance(50) ? " folded" : "\tfolded").append(eol());
                    stricter = true;
                }
            }
            s.append(eol());
            if (chunked) {
                chunkedBody(s);
            } else if (length > 0) {
                for (int i = 0; i < length; i++) {
                    s.append((char) ('a' + r.nextInt(26)));
                }
            } else if (length < 0 && chance(50)) {
                s.append("until the close"); // no framing: the body is everything up to the close
                closed = true;
            }
        }

        private String contentLength(int length, boolean http11) {
            switch (r.nextInt(30)) {
                case 0: return "0" + length;
                case 1:
                    stricter |= !http11;
                    return length + ", " + length;
                case 2: return "+" + length;
                case 3: return "";
                case 4: return "99999999999999999999";
                case 5: return length + "x";
                case 6: return "-1";
                default: return Integer.toString(length);
            }
        }

        /** RFC 9112 section 6.1: chunked is applied once, as the final coding (Netty's client decoder takes any list with chunked). */
        private static boolean chunkedOnceAndLast(String codings) {
            final List<String> list = new ArrayList<>();
            for (String c : codings.split(",")) {
                if (!c.isBlank()) {
                    list.add(c.trim().toLowerCase());
                }
            }
            return !list.isEmpty() && "chunked".equals(list.get(list.size() - 1))
                    && list.indexOf("chunked") == list.size() - 1;
        }

        private String codings() {
            return new String[] {"chunked", "chunked", "chunked", "Chunked", " chunked ", "gzip, chunked",
                "chunked, gzip", "identity", "chunked, chunked", "gzip,chunked", ", chunked", "gzip"}[r.nextInt(12)];
        }

        private void chunkedBody(StringBuilder s) {
            final int chunks = r.nextInt(4);
            for (int i = 0; i < chunks; i++) {
                final int size = 1 + r.nextInt(12);
                String sizeLine = Integer.toHexString(size);
                switch (r.nextInt(14)) {
                    case 0: sizeLine += ";ext=1"; break;
                    case 1: sizeLine += " ;ext"; break;
                    case 2: sizeLine = "0x" + sizeLine; break;
                    case 3: sizeLine += ";e=\"q\""; break;
                    case 4: sizeLine = ""; break;
                    case 5: sizeLine = sizeLine.toUpperCase(); break;
                    default: break;
                }
                s.append(sizeLine).append(eol());
                for (int k = 0; k < size; k++) {
                    s.append((char) ('A' + r.nextInt(26)));
                }
                s.append(chance(95) ? "\r\n" : "X\r\n");
            }
            s.append("0").append(eol());
            if (chance(30)) {
                s.append(cased(chance(50) ? "X-Checksum" : "Server-Timing")).append(": ").append(r.nextInt(100)).append(eol());
            }
            s.append(eol());
        }

        private String mutateField(String field) {
            switch (r.nextInt(60)) {
                case 0: return field.replaceFirst(":", " :");
                case 1: return field.replaceFirst(":", "\t:");
                case 2:
                    stricter = true; // obs-fold unless it is the first field line (then a bad name for both)
                    return " " + field;
                case 3: return field + "\u0000";
                case 4: return field.replaceFirst(":", ":\u000b");
                case 5: return ":" + field;
                case 6:
                    stricter = true; // without a colon: Netty takes "name junk" as an empty field
                    return field.replace(":", "");
                case 7: return field + "\rx";
                case 8: return field + "\u007f";
                case 9: return "X" + "y".repeat(600) + ": big";
                case 10: return "N\u00e4me: v";
                case 11:
                    stricter = true; // Netty skips anything between the name's end and the colon
                    return field.replaceFirst(":", " x:");
                default: return field;
            }
        }

        private String eol() {
            final int k = r.nextInt(200);
            // The upstream config parses lines leniently: Netty takes a bare LF as a line end and
            // keeps a bare CR in a reason phrase (which would then reach the client); both fail here.
            stricter |= k < 2;
            return k == 0 ? "\n" : k == 1 ? "\r" : "\r\n";
        }

        private String ows() {
            return new String[] {"", " ", " ", " ", "  ", "\t", " \t"}[r.nextInt(7)];
        }

        private String cased(String name) {
            final int k = r.nextInt(3);
            return k == 0 ? name.toLowerCase() : k == 1 ? name.toUpperCase() : name;
        }
    }
}
