package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.h1.RequestHeadDecoder;
import io.archway.proxy.http.h1.Http1ClientCodec;
import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
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
 * The slice-forwarding request decoder against Netty's {@link HttpRequestDecoder}, both configured
 * by {@link HttpCodecConfig#server} (small limits, so that 414 and 431 come up): random request
 * streams from a grammar with mutations (duplicate and conflicting framing fields, obs-fold, bare
 * CR and LF, NUL and other CTLs, whitespace around names, oversized lines, chunked bodies with
 * extensions and trailers, pipelined requests), each fed to both decoders split at random byte
 * boundaries. For every request both must give the same outcome (the status the proxy would answer
 * before routing, from the decoder result and {@link RequestValidator}), and an accepted request
 * must forward the same bytes upstream (the head after the hop-by-hop strip and X-Forwarded-For,
 * encoded by each parser's upstream codec: Netty's encoder, and {@code Http1ClientCodec}, which
 * copies the received field lines) and the same body and trailers. The one allowed difference: the
 * slice parser answers 400 where it is deliberately stricter (obs-fold, request-line separators
 * other than one SP, versions other than HTTP/1.0 and HTTP/1.1), and only for inputs that contain
 * such a construct. Paranoid leak detection covers both decoders' buffers.
 */
@ExtendWith(LeakCheck.PerClass.class)
class SliceParserDifferentialTest {
    private static final int MAX_LINE = 256;
    private static final int MAX_HEADERS = 512;
    private static HttpDecoderConfig config() {
        return HttpCodecConfig.server(MAX_LINE, MAX_HEADERS);
    }

    @Test
    void sameOutcomesOnRandomRequestStreams() {
        final long seed = Long.getLong("archway.fuzz.seed", 20261203L);
        final int cases = Integer.getInteger("archway.fuzz.cases", 6_000);
        final Random random = new Random(seed);
        int accepted = 0;
        int rejected = 0;
        int stricter = 0;
        for (int n = 0; n < cases; n++) {
            final Case c = new Generator(random).stream();
            final List<String> netty = outcomes(new HttpRequestDecoder(config()), new EmbeddedChannel(new HttpRequestEncoder()),
                    c.bytes, random);
            final List<String> slice = outcomes(new RequestHeadDecoder(config()), clientCodec(), c.bytes, random);
            if (netty.equals(slice)) {
                for (String o : netty) {
                    if (o.startsWith("FORWARD")) {
                        accepted++;
                    } else if (o.startsWith("ANSWER")) {
                        rejected++;
                    }
                }
                continue;
            }
            final int d = firstDifference(netty, slice);
            final String detail = "case " + n + " (seed " + seed + "):\n" + printable(c.bytes) + "\nnetty: " + netty
                    + "\nslice: " + slice;
            assertThat(c.stricter).as("only deliberately stricter inputs may differ; " + detail).isTrue();
            assertThat(slice.get(d)).as(detail).isEqualTo("ANSWER 400");
            stricter++;
        }
        // The grammar must reach each kind of outcome, or the comparison proves little.
        assertThat(accepted).as("accepted requests").isGreaterThan(cases / 5);
        assertThat(rejected).as("rejected requests").isGreaterThan(cases / 4);
        assertThat(stricter).as("deliberately stricter cases").isPositive();
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    /** The upstream codec the proxy uses (it copies the slice parser's received field lines). */
    private static EmbeddedChannel clientCodec() {
        final EmbeddedChannel upstream = new EmbeddedChannel();
        new Http1ClientCodec(HttpCodecConfig.client()).addLast(upstream.pipeline());
        return upstream;
    }

    /** What the proxy would make of each request in {@code bytes}, in order, forwarded through {@code upstream}. */
    static List<String> outcomes(ChannelHandler decoder, EmbeddedChannel upstream, byte[] bytes, Random random) {
        try {
            return forwarded(decoder, upstream, bytes, random);
        } finally {
            upstream.finishAndReleaseAll();
        }
    }

    private static List<String> forwarded(ChannelHandler decoder, EmbeddedChannel upstream, byte[] bytes,
                                         Random random) {
        final EmbeddedChannel ch = new EmbeddedChannel(decoder);
        int at = 0;
        while (at < bytes.length) {
            final int n = random.nextInt(4) == 0 ? bytes.length - at : 1 + random.nextInt(Math.min(64, bytes.length - at));
            ch.writeInbound(Unpooled.copiedBuffer(bytes, at, n));
            at += n;
        }
        final List<String> out = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean stopped = false;
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            try {
                if (stopped) {
                    continue;
                }
                if (msg instanceof HttpRequest request) {
                    if (request.decoderResult().isFailure()) {
                        out.add("ANSWER " + LocalResponses.forDecoderFailure(request.decoderResult()).code());
                        stopped = true;
                        continue;
                    }
                    final HttpResponseStatus invalid = RequestValidator.validate(request);
                    if (invalid != null) {
                        out.add("ANSWER " + invalid.code());
                        stopped = true; // the proxy closes after answering
                        continue;
                    }
                    out.add("FORWARD " + forwarded(request, upstream));
                }
                if (msg instanceof HttpContent content) {
                    if (content.decoderResult().isFailure()) {
                        out.add("BODY FAILED");
                        stopped = true;
                        continue;
                    }
                    content.content().getBytes(content.content().readerIndex(), body, content.content().readableBytes());
                    if (content instanceof LastHttpContent last) {
                        out.add("BODY " + printable(body.toByteArray()) + " TRAILERS " + fields(last.trailingHeaders()));
                        body.reset();
                    }
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** The upstream head the proxy would write: hop-by-hop fields stripped, X-Forwarded-For set. */
    private static String forwarded(HttpRequest request, EmbeddedChannel encoder) {
        final String head = request.method() + " " + request.uri() + " " + request.protocolVersion();
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(request.headers());
        headers.set(AsciiString.cached("x-forwarded-for"), "192.0.2.1");
        encoder.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers),
                LastHttpContent.EMPTY_LAST_CONTENT);
        final StringBuilder bytes = new StringBuilder();
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            bytes.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return head + " => " + printable(bytes.toString().getBytes(StandardCharsets.ISO_8859_1));
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

    static String printable(byte[] bytes) {
        final StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            final int c = b & 0xff;
            if (c == '\r') {
                s.append("\\r");
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                s.append(String.format("\\x%02x", c));
            } else {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    /** A request stream and whether it holds a construct the slice parser rejects on purpose. */
    record Case(byte[] bytes, boolean stricter) {
    }

    /** Random request streams: a grammar of request heads and bodies, then byte-level mutations. */
    static final class Generator {
        private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "PUT", "HEAD", "DELETE",
            "OPTIONS", "PATCH", "CONNECT", "PURGE", "G@T", "get"};
        private static final String[] TARGETS = {"/", "/a/b?x=1&y=%20", "/small", "http://example.com/p?q",
            "*", "/\u00e9", "/a\u0001b", "/a\u007fb", "//x", "/" + "p".repeat(300)};
        private static final String[] NAMES = {"Accept", "User-Agent", "X-Custom", "Cookie", "Connection",
            "Keep-Alive", "TE", "Upgrade", "X-Forwarded-For", "Trailer", "Proxy-Connection", "x-http2-scheme",
            "Content-Type", "Via", "X-Empty"};
        private static final String[] VALUES = {"a", "text/html, */*", "keep-alive", "close", "X-Custom, Via",
            "trailers", "websocket", "  padded  ", "", "\u00e9t\u00e9", "a\tb", "10.0.0.1, 10.0.0.2",
            "application/grpc"};
        private final Random r;
        private boolean stricter;

        Generator(Random r) {
            this.r = r;
        }

        Case stream() {
            final StringBuilder s = new StringBuilder();
            final int requests = 1 + r.nextInt(3);
            for (int i = 0; i < requests; i++) {
                request(s);
            }
            return new Case(s.toString().getBytes(StandardCharsets.ISO_8859_1), stricter);
        }

        private String pick(String[] values) {
            return values[r.nextInt(values.length)];
        }

        private boolean chance(int percent) {
            return r.nextInt(100) < percent;
        }

        private void request(StringBuilder s) {
            if (chance(5)) {
                s.append(chance(50) ? "\r\n" : "\n");
            }
            final String method = pick(METHODS);
            String version = chance(85) ? "HTTP/1.1" : "HTTP/1.0";
            if (chance(3)) {
                version = new String[] {"HTTP/1.2", "http/1.1", "HTTP/2.0", "HTTP/1.1 ", "HTTP/11", "HTTP/1.1x"}[r.nextInt(6)];
                stricter |= !version.startsWith("HTTP/1.1");
            }
            String sp = " ";
            if (chance(3)) {
                sp = new String[] {"  ", "\t", " \t", "\u000b"}[r.nextInt(4)];
                stricter = true;
            }
            String line = method + sp + pick(TARGETS) + " " + version;
            if (chance(2)) {
                line = " " + line;
                stricter = true;
            }
            if (chance(2)) {
                line = method + " /";
            }
            s.append(line).append(eol());
            final List<String> fields = new ArrayList<>();
            final int hosts = chance(85) ? 1 : r.nextInt(3);
            for (int i = 0; i < hosts; i++) {
                fields.add(cased("Host") + ":" + ows() + (chance(90) ? "example.com" : "ex ample") + ows());
            }
            final int others = r.nextInt(chance(5) ? 30 : 5);
            for (int i = 0; i < others; i++) {
                fields.add(cased(pick(NAMES)) + ":" + ows() + pick(VALUES) + ows());
            }
            int length = -1;
            boolean chunked = false;
            final int framing = r.nextInt(10);
            if (framing < 3) {
                length = r.nextInt(20);
                fields.add(cased("Content-Length") + ":" + ows() + contentLength(length));
                if (chance(10)) {
                    fields.add(cased("Content-Length") + ": " + (chance(50) ? length : length + 1));
                }
            } else if (framing < 5) {
                chunked = true;
                fields.add(cased("Transfer-Encoding") + ":" + ows() + codings());
                if (chance(8)) {
                    fields.add(cased("Transfer-Encoding") + ": " + codings());
                }
                if (chance(8)) {
                    fields.add("Content-Length: 3");
                }
            } else if (framing == 5 && chance(30)) {
                fields.add("Sec-WebSocket-Key1: 1");
                fields.add("Sec-WebSocket-Key2: 2");
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
            } else if (chance(5)) {
                s.append("12345678"); // a body the framing did not announce, or a draft-76 key
            }
        }

        private String contentLength(int length) {
            switch (r.nextInt(12)) {
                case 0: return "0" + length;
                case 1: return length + ", " + length;
                case 2: return "+" + length;
                case 3: return "";
                case 4: return "99999999999999999999";
                case 5: return length + "x";
                default: return Integer.toString(length);
            }
        }

        private String codings() {
            return new String[] {"chunked", "chunked", "chunked", "Chunked", " chunked ", "gzip, chunked",
                "chunked, gzip", "identity", "chunked, chunked", "gzip,chunked", ", chunked"}[r.nextInt(11)];
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
                s.append(cased(chance(50) ? "X-Checksum" : "Content-Length")).append(": ").append(r.nextInt(100)).append(eol());
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
                case 6: return field.replace(":", "");
                case 7: return field + "\rx";
                case 8: return field + "\u007f";
                case 9: return "X" + "y".repeat(600) + ": big";
                case 10: return "N\u00e4me: v";
                default: return field;
            }
        }

        private String eol() {
            final int k = r.nextInt(200);
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
