package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One downstream HTTP/2 stream's handler: the RFC 9113 section 8 request rules (frames in, a reset
 * out), the request's frames as HTTP messages, and the response's messages as frames; nothing leaks.
 */
class Http2StreamCodecTest {
    private static Http2Headers get() {
        return new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("h");
    }

    private static ByteBuf bytes(String s) {
        return ByteBufAllocator.DEFAULT.buffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aWellFormedRequestPassesWithItsBodyAndTrailers() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("POST"), false));
            ch.writeInbound(new DefaultHttp2DataFrame(bytes("ab"), false));
            ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-sum", "3"), true));
            final HttpRequest request = ch.readInbound();
            assertThat(request.method().name()).isEqualTo("POST");
            assertThat(request.uri()).isEqualTo("/");
            assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("h");
            // No content-length: the body is re-framed chunked for an HTTP/1.1 backend.
            assertThat(HttpUtil.isTransferEncodingChunked(request)).isTrue();
            final HttpContent data = ch.readInbound();
            assertThat(data).isNotInstanceOf(LastHttpContent.class);
            assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
            data.release();
            final LastHttpContent trailers = ch.readInbound();
            assertThat(trailers.content().readableBytes()).isZero();
            assertThat(trailers.trailingHeaders().get("x-sum")).isEqualTo("3");
            trailers.release();
            assertThat((Object) ch.readOutbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aRequestEndingWithItsHeadersIsTheRequestThenAnEmptyEnd() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
        ch.writeInbound(new DefaultHttp2HeadersFrame(get().add("cookie", "a=1").add("cookie", "b=2"), true));
        final HttpRequest request = ch.readInbound();
        assertThat(HttpUtil.isTransferEncodingChunked(request)).isFalse();
        assertThat(request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        // RFC 9113 section 8.2.3: cookie crumbs are joined for HTTP/1.1.
        assertThat(request.headers().getAll(HttpHeaderNames.COOKIE)).containsExactly("a=1; b=2");
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theFieldsAreTheBlocksWithHostForAuthorityAndNothingAdded() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
        ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("DELETE").path("/a?b=c").add("accept", "*/*")
                .add("x-two", "1").add("x-two", "2").add("trailer", "x-sum"), true));
        final HttpRequest request = ch.readInbound();
        assertThat(request.method()).isSameAs(HttpMethod.DELETE);
        assertThat(request.uri()).isEqualTo("/a?b=c");
        assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        // Host from :authority, the fields in order; no x-http2-* markers, no Trailer (as Netty's conversion).
        final List<String> fields = new ArrayList<>();
        request.headers().forEach(e -> fields.add(e.getKey() + "=" + e.getValue()));
        assertThat(fields).containsExactly("host=h", "accept=*/*", "x-two=1", "x-two=2");
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aValueHttp1WouldRefuseIsAMalformedRequest() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            // Netty's HPACK decoder leaves values unchecked; a line break must not reach an HTTP/1.1 backend.
            ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(true, false, 8).method("POST")
                    .scheme("http").path("/").authority("h").add("x-a", "1\r\nx-b: 2"), false));
            assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            final ByteBuf body = bytes("x");
            ch.writeInbound(new DefaultHttp2DataFrame(body, true));
            assertThat(body.refCnt()).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void hostMayRepeatTheAuthorityButNotDifferFromIt() {
        final EmbeddedChannel same = new EmbeddedChannel(new Http2StreamCodec());
        same.writeInbound(new DefaultHttp2HeadersFrame(get().add("host", "H"), true));
        assertThat(((HttpRequest) same.readInbound()).headers().getAll(HttpHeaderNames.HOST)).containsExactly("h");
        assertThat(same.finishAndReleaseAll()).isTrue(); // the empty last content
        final EmbeddedChannel other = new EmbeddedChannel(new Http2StreamCodec());
        other.writeInbound(new DefaultHttp2HeadersFrame(get().add("host", "elsewhere"), true));
        assertThat(((Http2ResetFrame) other.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat((Object) other.readInbound()).isNull();
        // Without :authority, Host is the authority (section 8.3.1).
        final EmbeddedChannel hostOnly = new EmbeddedChannel(new Http2StreamCodec());
        hostOnly.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http")
                .path("/").add("host", "only"), true));
        assertThat(((HttpRequest) hostOnly.readInbound()).headers().getAll(HttpHeaderNames.HOST)).containsExactly("only");
        hostOnly.finishAndReleaseAll();
    }

    @Test
    void aTrailerValueHttp1WouldRefuseResetsTheStream() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("POST"), false));
            ch.writeInbound(new DefaultHttp2DataFrame(bytes("ab"), false));
            ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(true, false, 2).add("x-sum", "3\n"), true));
            assertThat((Object) ch.readInbound()).isInstanceOf(HttpRequest.class);
            ((HttpContent) ch.readInbound()).release();
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            ch.finishAndReleaseAll();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aBodyWithContentLengthIsNotMarkedChunkedAndEndsWithTheLastData() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("PUT").add("content-length", "2"), false));
            ch.writeInbound(new DefaultHttp2DataFrame(bytes("ok"), true));
            final HttpRequest request = ch.readInbound();
            assertThat(HttpUtil.isTransferEncodingChunked(request)).isFalse();
            assertThat(HttpUtil.getContentLength(request)).isEqualTo(2);
            final LastHttpContent last = ch.readInbound();
            assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
            last.release();
            assertThat(ch.finishAndReleaseAll()).isFalse();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void expectContinueIsAnsweredOnTheStreamAndNotForwarded() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
        ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("POST").add("expect", "100-continue")
                .add("content-length", "1"), false));
        final Http2HeadersFrame interim = ch.readOutbound();
        assertThat(interim.headers().status().toString()).isEqualTo("100");
        assertThat(interim.isEndStream()).isFalse();
        final HttpRequest request = ch.readInbound();
        assertThat(request.headers().contains(HttpHeaderNames.EXPECT)).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void missingPseudoHeadersResetTheStreamAndLaterFramesAreDropped() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path("/"), false));
            final Http2ResetFrame reset = ch.readOutbound();
            assertThat(reset.errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            final ByteBuf body = Unpooled.copiedBuffer(new byte[] {1});
            ch.writeInbound(new DefaultHttp2DataFrame(body, true));
            assertThat(body.refCnt()).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void anEmptyPathIsMalformed() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
        // Unvalidated headers: Netty's decoder refuses an empty :path too; this checks the codec's own rule.
        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).method("GET").scheme("http")
                .path("").authority("h"), true));
        assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void pseudoHeaderInTrailersAndConnect() {
        final EmbeddedChannel trailers = new EmbeddedChannel(new Http2StreamCodec());
        trailers.writeInbound(new DefaultHttp2HeadersFrame(get(), false));
        ((HttpRequest) trailers.readInbound()).headers();
        trailers.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().path("/x"), true));
        assertThat(((Http2ResetFrame) trailers.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat((Object) trailers.readInbound()).isNull();
        trailers.finishAndReleaseAll();

        final EmbeddedChannel connect = new EmbeddedChannel(new Http2StreamCodec());
        connect.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("CONNECT")
                .authority("b.test:443"), true));
        assertThat(((Http2HeadersFrame) connect.readOutbound()).headers().status().toString()).isEqualTo("405");
        assertThat((Object) connect.readInbound()).isNull();
        connect.finishAndReleaseAll();

        final EmbeddedChannel badConnect = new EmbeddedChannel(new Http2StreamCodec());
        badConnect.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("CONNECT")
                .authority("b.test:443").path("/"), true));
        assertThat(((Http2ResetFrame) badConnect.readOutbound()).errorCode())
                .isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        badConnect.finishAndReleaseAll();
    }

    @Test
    void aStreamErrorOfTheCodecResetsWithItsOwnCode() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
        ch.pipeline().fireExceptionCaught(Http2Exception.streamError(1, Http2Error.PROTOCOL_ERROR,
                "content-length mismatch"));
        assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        ch.checkException(); // swallowed: no handler further down closes the stream with CANCEL
        ch.finishAndReleaseAll();
    }

    @Test
    void aStreamedResponseBecomesHeadersDataAndTrailers() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().add("Content-Type", "application/grpc").add("Connection", "keep-alive");
            ch.writeOutbound(head);
            ch.writeOutbound(new DefaultHttpContent(bytes("ab")));
            final LastHttpContent last = new DefaultLastHttpContent(bytes("c"));
            last.trailingHeaders().add("grpc-status", "0");
            final ChannelFuture lastWrite = ch.writeAndFlush(last);
            final Http2HeadersFrame headers = ch.readOutbound();
            assertThat(headers.isEndStream()).isFalse();
            assertThat(headers.headers().status().toString()).isEqualTo("200");
            assertThat(headers.headers().get("content-type").toString()).isEqualTo("application/grpc");
            assertThat(headers.headers().contains("connection")).isFalse(); // connection-specific
            final Http2DataFrame first = ch.readOutbound();
            assertThat(first.isEndStream()).isFalse();
            assertThat(first.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
            first.release();
            final Http2DataFrame second = ch.readOutbound();
            assertThat(second.isEndStream()).isFalse();
            assertThat(second.content().toString(StandardCharsets.US_ASCII)).isEqualTo("c");
            second.release();
            final Http2HeadersFrame trailers = ch.readOutbound();
            assertThat(trailers.isEndStream()).isTrue();
            assertThat(trailers.headers().get("grpc-status").toString()).isEqualTo("0");
            assertThat(lastWrite.isSuccess()).isTrue();
            assertThat(ch.finishAndReleaseAll()).isFalse();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aBodyEndsWithOneDataFrameAndAHeadersOnlyResponseWithOneHeadersFrame() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamCodec());
            ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
            ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
            assertThat(((Http2HeadersFrame) ch.readOutbound()).isEndStream()).isFalse();
            final Http2DataFrame end = ch.readOutbound();
            assertThat(end.isEndStream()).isTrue();
            assertThat(end.content().readableBytes()).isZero();
            end.release();

            // A gRPC Trailers-Only answer: one HEADERS frame that ends the stream.
            final DefaultFullHttpResponse trailersOnly = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            trailersOnly.headers().add("grpc-status", "14");
            ch.writeOutbound(trailersOnly);
            final Http2HeadersFrame only = ch.readOutbound();
            assertThat(only.isEndStream()).isTrue();
            assertThat(only.headers().get("grpc-status").toString()).isEqualTo("14");

            // A local answer with a body: HEADERS, then the body ending the stream.
            final ChannelFuture local = ch.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.NOT_FOUND, bytes("nope")));
            assertThat(((Http2HeadersFrame) ch.readOutbound()).isEndStream()).isFalse();
            final Http2DataFrame body = ch.readOutbound();
            assertThat(body.isEndStream()).isTrue();
            assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("nope");
            body.release();
            assertThat(local.isSuccess()).isTrue();
            assertThat((Object) ch.readOutbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
            assertThat(leaks.leaks()).isEmpty();
        }
    }
}
