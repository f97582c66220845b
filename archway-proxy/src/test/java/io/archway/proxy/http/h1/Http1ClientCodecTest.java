package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.HttpCodecConfig;
import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream codec (encoder and decoder as two handlers) on an EmbeddedChannel with paranoid leak
 * detection: the decoder reads no body after a response to HEAD, an interim 1xx does not take the
 * method of the final response, chunked responses with trailers fed a byte at a time, a
 * close-delimited response, framing it cannot trust reported as a failure (the exchange answers
 * 502), and removal for a tunnel handing on the bytes it held; with both response decoders
 * (the slice-forwarding {@code ResponseHeadDecoder}, the default, and Netty's).
 */
@ExtendWith(LeakCheck.PerClass.class)
class Http1ClientCodecTest {
    private static EmbeddedChannel client(boolean slice) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        new Http1ClientCodec(HttpCodecConfig.client(), slice).addLast(ch.pipeline());
        return ch;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/");
        request.headers().set(HttpHeaderNames.HOST, "backend");
        ch.writeOutbound(request);
        Object m;
        while ((m = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    /** Each response as "status body|" (body of its contents), "failed" for a failed decoder result. */
    private static String responses(EmbeddedChannel ch) {
        final StringBuilder s = new StringBuilder();
        Object m;
        while ((m = ch.readInbound()) != null) {
            try {
                if (m instanceof HttpResponse r) {
                    s.append(r.decoderResult().isFailure() ? "failed " : "").append(r.status().code()).append(' ');
                }
                if (m instanceof HttpContent c) {
                    if (c.decoderResult().isFailure()) {
                        s.append("failed ");
                    }
                    s.append(c.content().toString(StandardCharsets.ISO_8859_1));
                    if (c instanceof LastHttpContent last) {
                        last.trailingHeaders().forEach(e -> s.append('[').append(e.getKey()).append('=')
                                .append(e.getValue()).append(']'));
                        s.append('|');
                    }
                }
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        return s.toString();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void aResponseToHeadHasNoBodyWhateverItsContentLength(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertThat(responses(ch)).isEqualTo("200 |200 ok|");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void anInterimResponseDoesNotTakeTheMethodOfTheFinalOne(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.HEAD);
        ch.writeInbound(ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        send(ch, HttpMethod.GET);
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertThat(responses(ch)).isEqualTo("100 |200 |200 ok|");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void aChunkedResponseWithTrailersArrivesIntactWhenFedOneByteAtATime(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.GET);
        send(ch, HttpMethod.GET);
        final String raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n";
        for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(responses(ch)).isEqualTo("200 hello world[X-Sum=42]|204 |");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void aCloseDelimitedResponseEndsWithTheConnection(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.GET);
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhel"));
        ch.writeInbound(ascii("lo"));
        assertThat(responses(ch)).isEqualTo("200 hello");
        ch.close();
        assertThat(responses(ch)).isEqualTo("|");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void framingItCannotTrustIsReportedAsAFailure(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.GET);
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"));
        assertThat(responses(ch)).startsWith("failed ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "slice={0}")
    @ValueSource(booleans = {true, false})
    void removingTheCodecForATunnelHandsOnWhatItHeld(boolean slice) {
        final EmbeddedChannel ch = client(slice);
        send(ch, HttpMethod.GET);
        ch.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
        assertThat(responses(ch)).startsWith("101 ");
        Http1ClientCodec.remove(ch.pipeline());
        assertThat(ch.pipeline().get(Http1ClientCodec.DECODER)).isNull();
        assertThat(ch.pipeline().get(Http1ClientCodec.ENCODER)).isNull();
        ch.writeInbound(ascii("frame"));
        final List<String> raw = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            raw.add(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(m);
        }
        assertThat(String.join("", raw)).isEqualTo("frame");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
