package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
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
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The downstream codec (decoder and encoder as two handlers) over both request decoders, on an
 * EmbeddedChannel with paranoid leak detection: pipelined requests and the responses that answer
 * them (no body after HEAD, none cut off by an interim 100), a CONNECT's 2xx without
 * Transfer-Encoding, chunked bodies with trailers fed a byte at a time, Expect: 100-continue, the
 * pipeline depth limit, the close after a request whose framing a lenient decoder guessed, an upgrade (the codec leaves, bytes after the upgrade request reach the new
 * protocol in order), removal for a tunnel (bytes then pass as they are), and {@link FieldLines} edits as the encoder writes them
 * (received lines byte for byte, edits at the end).
 */
@ExtendWith(LeakCheck.PerClass.class)
class Http1ServerCodecTest {
    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig().setMaxInitialLineLength(256).setMaxHeaderSize(512).setMaxChunkSize(65536);
    }

    /** A channel with the downstream codec over {@code parser}'s decoder. */
    private static EmbeddedChannel server(Http1Parser parser) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        parser.serverCodec(config()).addLast(ch.pipeline());
        return ch;
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

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void pipelinedRequestsAreAnsweredInOrderAndHeadResponsesHaveNoBody(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
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

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void chunkedBodyWithTrailersArrivesIntactWhenFedOneByteAtATime(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
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

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void expectContinueIsAnsweredBeforeTheBody(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        ch.pipeline().addLast(new HttpServerExpectContinueHandler());
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

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void tooManyUnansweredRequestsCloseTheConnection(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        final StringBuilder many = new StringBuilder();
        for (int i = 0; i <= Http1ServerCodec.MAX_PIPELINE_DEPTH; i++) {
            many.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try {
            ch.writeInbound(ascii(many.toString()));
        } catch (RuntimeException expected) {
            assertThat(expected).hasMessageContaining("maxPipelineDepth");
        }
        final List<Object> in = inbound(ch);
        assertThat(in.stream().filter(m -> m instanceof HttpRequest)).hasSize(Http1ServerCodec.MAX_PIPELINE_DEPTH);
        in.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void keptFieldLinesAreWrittenAsReceivedAndEditsFollowThem() {
        final EmbeddedChannel ch = server(Http1Parser.SLICE);
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

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void anInterimResponseDoesNotTakeTheMethodOfTheFinalOne(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        ch.writeInbound(ascii("PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
                + "HEAD /y HTTP/1.1\r\nHost: x\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        final FullHttpResponse put = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ascii("done"));
        put.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
        ch.writeOutbound(put);
        final FullHttpResponse head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 9);
        ch.writeOutbound(head);
        // The PUT's response keeps its body (the 100 did not answer the PUT); the HEAD's has none.
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone"
                + "HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void aSuccessfulResponseToConnectCarriesNoTransferEncoding(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        ch.writeInbound(ascii("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
        final List<Object> in = inbound(ch);
        assertThat(((HttpRequest) in.get(0)).method()).isEqualTo(HttpMethod.CONNECT);
        in.forEach(ReferenceCountUtil::release);
        final DefaultHttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        ok.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ch.writeOutbound(ok);
        // RFC 9112 section 6.1: a server MUST NOT send Transfer-Encoding in a 2xx to CONNECT.
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void anUpgradeRemovesTheCodecAndHandsTheBytesAfterTheRequestToTheNewProtocol(Http1Parser parser) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final Http1ServerCodec codec = parser.serverCodec(config());
        codec.addLast(ch.pipeline());
        final Received upgraded = new Received();
        ch.pipeline().addLast(new HttpServerUpgradeHandler(codec, protocol -> "test".contentEquals(protocol)
                ? new HttpServerUpgradeHandler.UpgradeCodec() {
                    @Override
                    public Collection<CharSequence> requiredUpgradeHeaders() {
                        return List.of();
                    }

                    @Override
                    public boolean prepareUpgradeResponse(ChannelHandlerContext ctx, FullHttpRequest request,
                                                          HttpHeaders headers) {
                        return true;
                    }

                    @Override
                    public void upgradeTo(ChannelHandlerContext ctx, FullHttpRequest request) {
                        ctx.pipeline().addAfter(ctx.name(), "upgraded", upgraded);
                    }
                } : null, 1024));
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nPRI bytes"));
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n");
        assertThat(ch.pipeline().get(Http1ServerCodec.DECODER)).isNull();
        assertThat(ch.pipeline().get(Http1ServerCodec.ENCODER)).isNull();
        // As with HttpServerCodec: bytes that came with the upgrade request pass on as they were read
        // (a client sends the new protocol's bytes only after the 101, RFC 9113 section 3.2); the
        // ones after it reach the new protocol.
        final ByteBuf early = ch.readInbound();
        assertThat(early.toString(StandardCharsets.ISO_8859_1)).isEqualTo("PRI bytes");
        early.release();
        ch.writeInbound(ascii("and more"));
        assertThat(upgraded.text).hasToString("and more");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void removingTheCodecForATunnelPassesBytesAsTheyAre(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        final Received tunnel = new Received();
        ch.pipeline().addLast(tunnel);
        ch.writeInbound(ascii("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        assertThat(tunnel.requests).isEqualTo(1);
        Http1ServerCodec.remove(ch.pipeline());
        assertThat(ch.pipeline().get(Http1ServerCodec.DECODER)).isNull();
        assertThat(ch.pipeline().get(Http1ServerCodec.ENCODER)).isNull();
        ch.writeInbound(ascii("GET /not-a-request\r\n"));
        assertThat(tunnel.text).hasToString("GET /not-a-request\r\n");
        ch.writeOutbound(ascii("frame"));
        assertThat(outbound(ch)).isEqualTo("frame");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Http1Parser.class)
    void aWholeResponseWithALargerBodyIsWrittenAsItsHeadAndItsBodyAsReceived(Http1Parser parser) {
        final EmbeddedChannel ch = server(parser);
        // What the encoder hands on: a void promise for the head (no promise per buffer) and the
        // caller's for the body.
        final List<Boolean> voidPromises = new ArrayList<>();
        ch.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                voidPromises.add(promise.isVoid());
                ctx.write(msg, promise);
            }
        });
        ch.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        final ByteBuf body = ascii("x".repeat(4096));
        final FullHttpResponse get = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        get.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4096);
        final ChannelPromise written = ch.newPromise();
        ch.writeAndFlush(get, written);
        assertThat(written.isSuccess()).isTrue();
        assertThat(voidPromises).containsExactly(true, false);
        final ByteBuf head = ch.readOutbound();
        final ByteBuf sent = ch.readOutbound();
        assertThat(head.toString(StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 4096\r\n\r\n");
        // The body's own buffer, not a copy in the head's.
        assertThat(sent).isSameAs(body);
        assertThat(sent.readableBytes()).isEqualTo(4096);
        head.release();
        sent.release();
        // The response to HEAD still gets no body.
        final FullHttpResponse toHead = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ascii("y".repeat(4096)));
        toHead.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4096);
        ch.writeAndFlush(toHead);
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 4096\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aLenientDecoderThatDroppedContentLengthForChunkedClosesAfterTheResponse() {
        // Only a config without RFC 9112's rule gets here (the proxy's rejects the request, 400):
        // the framing was guessed, so the connection ends with the response (as HttpServerCodec).
        final EmbeddedChannel ch = new EmbeddedChannel();
        Http1Parser.CODEC.serverCodec(config().setUseRfc9112TransferEncoding(false)).addLast(ch.pipeline());
        ch.writeInbound(ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n"));
        final List<Object> in = inbound(ch);
        assertThat(((HttpRequest) in.get(0)).decoderResult().isSuccess()).isTrue();
        in.forEach(ReferenceCountUtil::release);
        final FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ch.writeAndFlush(ok, ch.voidPromise());
        assertThat(outbound(ch)).startsWith("HTTP/1.1 200 OK");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    /** Counts requests, collects raw bytes as text, releases everything. */
    private static final class Received extends ChannelInboundHandlerAdapter {
        final StringBuilder text = new StringBuilder();
        int requests;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                requests++;
            } else if (msg instanceof ByteBuf b) {
                text.append(b.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
