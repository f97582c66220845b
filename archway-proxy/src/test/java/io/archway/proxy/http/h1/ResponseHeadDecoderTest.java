package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.HttpCodecConfig;
import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ResponseHeadDecoder} on an EmbeddedChannel with paranoid leak detection: every RFC 9112
 * defence fails the response (the exchange answers 502; nothing is forwarded and later bytes are
 * dropped), the body rules of 1xx, 204, 304 and HEAD, a head cut off by the close, bytes after a 101,
 * and the kept field lines reaching the client as received through the downstream encoder.
 */
@ExtendWith(LeakCheck.PerClass.class)
class ResponseHeadDecoderTest {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    private EmbeddedChannel decoder() {
        return new EmbeddedChannel(new ResponseHeadDecoder(
                HttpCodecConfig.client().setMaxInitialLineLength(64).setMaxHeaderSize(128), methods));
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Each message: "status", "failed", body parts and "|" after a last content, "raw:" bytes. */
    private static String read(EmbeddedChannel ch) {
        final StringBuilder s = new StringBuilder();
        Object m;
        while ((m = ch.readInbound()) != null) {
            try {
                if (m instanceof HttpResponse r) {
                    s.append(r.decoderResult().isFailure() ? "failed" : r.status().code()).append(' ');
                }
                if (m instanceof HttpContent c) {
                    s.append(c.content().toString(StandardCharsets.ISO_8859_1));
                    if (c instanceof LastHttpContent) {
                        s.append('|');
                    }
                } else if (m instanceof ByteBuf raw) {
                    s.append("raw:").append(raw.toString(StandardCharsets.ISO_8859_1));
                }
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        return s.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n",
        "HTTP/1.1 200 O\rK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\u0000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\u007f\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 600 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Big: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\n\r\n",
    })
    void aResponseBreakingARuleFailsAndNothingAfterItIsRead(String head) {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii(head + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assertThat(read(ch)).isEqualTo("failed |");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whitespaceBeforeTheColonIsDroppedNotForwarded() {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nX-A \t: 1\r\nContent-Length: 0\r\n\r\n"));
        final HttpResponse response = ch.readInbound();
        assertThat(response.headers().get("X-A")).isEqualTo("1");
        assertThat(encoded(response)).contains("\r\nX-A: 1\r\n");
        ReferenceCountUtil.release(ch.readInbound());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void interimResponsesTakeNoMethodAndFinalOnesWithoutBodyReadNone() {
        methods.addAll(List.of(HttpMethod.HEAD, HttpMethod.GET, HttpMethod.GET, HttpMethod.GET));
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertThat(read(ch)).isEqualTo("103 |200 |204 |304 |200 ok|");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyFramedByLengthEndsWithTheSharedEmptyTrailerSection() {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        final HttpResponse head = ch.readInbound();
        assertThat(head.status().code()).isEqualTo(200);
        final LastHttpContent last = ch.readInbound();
        try {
            // RFC 9112 section 7.1.2: trailer fields only follow a chunked body; no table per message.
            assertThat(last.content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("ok");
            assertThat(last.trailingHeaders()).isSameAs(EmptyHttpHeaders.INSTANCE);
        } finally {
            last.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHeadCutOffByTheCloseFailsAndABodyCutOffEndsWithoutALastContent() {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel cut = decoder();
        cut.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Le"));
        cut.close();
        assertThat(read(cut)).isEqualTo("failed |");
        assertThat(cut.finishAndReleaseAll()).isFalse();
        methods.add(HttpMethod.GET);
        final EmbeddedChannel body = decoder();
        body.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"));
        body.close();
        assertThat(read(body)).isEqualTo("200 ab");
        assertThat(body.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesAfterASwitchToAnotherProtocolArePassedAsRead() {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u0081\u0002hi"));
        assertThat(read(ch)).isEqualTo("101 |raw:\u0081\u0002hi");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void keptFieldLinesReachTheClientAsReceivedAndEditedOnesAreEncoded() {
        methods.add(HttpMethod.GET);
        final EmbeddedChannel ch = decoder();
        ch.writeInbound(ascii("HTTP/1.1 200 Fine\r\nsErVeR:   nginx/1.25 \t\r\nConnection: keep-alive\r\n"
                + "X-Gone: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n"));
        final HttpResponse response = ch.readInbound();
        assertThat(response.headers()).isInstanceOf(FieldLines.class);
        response.headers().remove(HttpHeaderNames.CONNECTION).remove("x-gone").set("X-Added", "yes");
        assertThat(encoded(response)).isEqualTo("HTTP/1.1 200 Fine\r\nsErVeR: nginx/1.25\r\n"
                + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\nX-Added: yes\r\n\r\n");
        ReferenceCountUtil.release(ch.readInbound());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** The response head as the downstream codec writes it. */
    private static String encoded(HttpResponse response) {
        final EmbeddedChannel down = new EmbeddedChannel();
        Http1Parser.CODEC.serverCodec(HttpCodecConfig.server(8192, 8192)).addLast(down.pipeline());
        down.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        Object m;
        while ((m = down.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
        down.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), response.headers()),
                LastHttpContent.EMPTY_LAST_CONTENT);
        final StringBuilder s = new StringBuilder();
        while ((m = down.readOutbound()) != null) {
            s.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(m);
        }
        down.finishAndReleaseAll();
        return s.toString();
    }
}
