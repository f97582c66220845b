package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import org.junit.jupiter.api.Test;

/** RFC 9113 section 8 request rules on one stream, frames in, frames out; nothing leaks. */
class Http2RequestValidatorTest {
    private static io.netty.handler.codec.http2.Http2Headers get() {
        return new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("h");
    }

    @Test
    void aWellFormedRequestPassesWithItsBodyAndTrailers() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2RequestValidator());
            ch.writeInbound(new DefaultHttp2HeadersFrame(get().method("POST"), false));
            ch.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(new byte[] {1, 2}), false));
            ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-sum", "3"), true));
            assertThat((Object) ch.readInbound()).isInstanceOf(Http2HeadersFrame.class);
            final DefaultHttp2DataFrame data = ch.readInbound();
            assertThat(data.content().readableBytes()).isEqualTo(2);
            data.release();
            assertThat((Object) ch.readInbound()).isInstanceOf(Http2HeadersFrame.class);
            assertThat((Object) ch.readOutbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void missingPseudoHeadersResetTheStreamAndLaterFramesAreDropped() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            final EmbeddedChannel ch = new EmbeddedChannel(new Http2RequestValidator());
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
    void pseudoHeaderInTrailersAndConnect() {
        final EmbeddedChannel trailers = new EmbeddedChannel(new Http2RequestValidator());
        trailers.writeInbound(new DefaultHttp2HeadersFrame(get(), false));
        trailers.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().path("/x"), true));
        assertThat(((Http2ResetFrame) trailers.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        trailers.finishAndReleaseAll();

        final EmbeddedChannel connect = new EmbeddedChannel(new Http2RequestValidator());
        connect.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("CONNECT")
                .authority("b.test:443"), true));
        assertThat(((Http2HeadersFrame) connect.readOutbound()).headers().status().toString()).isEqualTo("405");
        assertThat((Object) connect.readInbound()).isNull();
        connect.finishAndReleaseAll();
    }

    @Test
    void aStreamErrorOfTheCodecResetsWithItsOwnCode() {
        final EmbeddedChannel ch = new EmbeddedChannel(new Http2RequestValidator());
        ch.pipeline().fireExceptionCaught(Http2Exception.streamError(1, Http2Error.PROTOCOL_ERROR,
                "content-length mismatch"));
        assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        ch.checkException(); // swallowed: no handler further down closes the stream with CANCEL
        ch.finishAndReleaseAll();
    }
}
