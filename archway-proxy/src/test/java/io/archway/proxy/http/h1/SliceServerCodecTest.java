package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The slice codec on an EmbeddedChannel with paranoid leak detection: pipelined requests and the
 * responses that answer them (no body after HEAD), chunked bodies with trailers fed a byte at a
 * time, Expect: 100-continue, the pipeline depth limit, and {@link FieldLines} edits as the encoder
 * writes them (received lines byte for byte, edits at the end).
 */
@ExtendWith(LeakCheck.PerClass.class)
class SliceServerCodecTest {
    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig().setMaxInitialLineLength(256).setMaxHeaderSize(512).setMaxChunkSize(65536);
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        final List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(m);
        }
        return out;
    }

    private static String outbound(EmbeddedChannel ch) {
        final StringBuilder s = new StringBuilder();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            s.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(m);
        }
        return s.toString();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndHeadResponsesHaveNoBody() {
        final EmbeddedChannel ch = new EmbeddedChannel(new SliceServerCodec(config()));
        ch.writeInbound(ascii("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        final List<Object> in = inbound(ch);
        assertThat(in).hasSize(4);
        assertThat(((HttpRequest) in.get(0)).method()).isEqualTo(HttpMethod.HEAD);
        assertThat(((HttpRequest) in.get(2)).uri()).isEqualTo("/b");
        in.forEach(ReferenceCountUtil::release);
        final FullHttpResponse head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ch.writeOutbound(head);
        final FullHttpResponse get = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ascii("hello"));
        get.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ch.writeOutbound(get);
        // The HEAD response ends with its head: no chunked terminator that the client would read
        // as the start of the next response.
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void chunkedBodyWithTrailersArrivesIntactWhenFedOneByteAtATime() {
        final EmbeddedChannel ch = new EmbeddedChannel(new SliceServerCodec(config()));
        final String raw = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\nContent-Length: 9\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
        for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        final StringBuilder body = new StringBuilder();
        HttpHeaders trailers = null;
        final List<String> uris = new ArrayList<>();
        for (Object m : inbound(ch)) {
            if (m instanceof HttpRequest r) {
                assertThat(r.decoderResult().isSuccess()).isTrue();
                uris.add(r.uri());
            }
            if (m instanceof HttpContent c && uris.size() == 1) {
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                if (c instanceof LastHttpContent last) {
                    trailers = last.trailingHeaders();
                    assertThat(trailers.get("x-sum")).isEqualTo("42");
                    // Framing fields are never taken from trailers (as Netty's decoder).
                    assertThat(trailers.contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
                }
            }
            ReferenceCountUtil.release(m);
        }
        assertThat(uris).containsExactly("/up", "/next");
        assertThat(body).hasToString("hello world");
        assertThat(trailers).isNotNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBody() {
        final EmbeddedChannel ch = new EmbeddedChannel(new SliceServerCodec(config()),
                new HttpServerExpectContinueHandler());
        ch.writeInbound(ascii("PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        ch.writeInbound(ascii("ok"));
        final List<Object> in = inbound(ch);
        assertThat(in).hasSize(2);
        assertThat(((HttpRequest) in.get(0)).headers().contains(HttpHeaderNames.EXPECT)).isFalse();
        assertThat(((LastHttpContent) in.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        in.forEach(ReferenceCountUtil::release);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void tooManyUnansweredRequestsCloseTheConnection() {
        final EmbeddedChannel ch = new EmbeddedChannel(new SliceServerCodec(config()));
        final StringBuilder many = new StringBuilder();
        for (int i = 0; i <= SliceServerCodec.MAX_PIPELINE_DEPTH; i++) {
            many.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try {
            ch.writeInbound(ascii(many.toString()));
        } catch (RuntimeException expected) {
            assertThat(expected).hasMessageContaining("maxPipelineDepth");
        }
        final List<Object> in = inbound(ch);
        assertThat(in.stream().filter(m -> m instanceof HttpRequest)).hasSize(SliceServerCodec.MAX_PIPELINE_DEPTH);
        in.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void keptFieldLinesAreWrittenAsReceivedAndEditsFollowThem() {
        final EmbeddedChannel ch = new EmbeddedChannel(new SliceServerCodec(config()));
        ch.writeInbound(ascii("GET /p HTTP/1.1\r\nHost:  Example.COM \r\nX-A: 1\r\nConnection: close\r\n"
                + "X-b:\tx y\t\r\nx-a: 2\r\n\r\n"));
        final List<Object> in = inbound(ch);
        final HttpRequest request = (HttpRequest) in.get(0);
        final HttpHeaders headers = request.headers();
        assertThat(headers).isInstanceOf(FieldLines.class);
        assertThat(((FieldLines) headers).edited()).isFalse();
        assertThat(headers.getAll("x-a")).containsExactly("1", "2");
        assertThat(headers.get("HOST")).isEqualTo("Example.COM");
        assertThat(headers.size()).isEqualTo(5);
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.set("x-b", "z");
        headers.add("x-forwarded-for", "192.0.2.1");
        assertThat(((FieldLines) headers).edited()).isTrue();
        assertThat(headers.names()).containsExactly("Host", "X-A", "x-a", "x-b", "x-forwarded-for");
        final EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        encoder.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers));
        assertThat(outbound(encoder)).isEqualTo("GET /p HTTP/1.1\r\nHost: Example.COM\r\nX-A: 1\r\nx-a: 2\r\n"
                + "x-b: z\r\nx-forwarded-for: 192.0.2.1\r\n\r\n");
        assertThat(headers.copy().get("x-b")).isEqualTo("z");
        in.forEach(ReferenceCountUtil::release);
        encoder.finishAndReleaseAll();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
