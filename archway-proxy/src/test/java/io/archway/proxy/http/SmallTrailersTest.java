package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmallTrailersTest {
    @Test
    void decodedBodiesGetSmallValidatingTrailers() {
        final EmbeddedChannel ch = new EmbeddedChannel(new HttpClientCodec(HttpCodecConfig.client(), false, false));
        ch.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpRequest(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/"));
        ch.releaseOutbound();
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", StandardCharsets.US_ASCII));
        final HttpResponse response = ch.readInbound();
        assertThat(response.status().code()).isEqualTo(200);
        final LastHttpContent last = ch.readInbound();
        try {
            assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
            assertThat(last.trailingHeaders()).isInstanceOf(SmallTrailers.class).isEmpty();
            last.trailingHeaders().add("x-checksum", "1");
            assertThat(last.trailingHeaders().get("X-Checksum")).isEqualTo("1");
            assertThatThrownBy(() -> last.trailingHeaders().add("content-length", "1"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> last.trailingHeaders().add("bad name", "1"))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            last.release();
            ch.finishAndReleaseAll();
        }
    }
}
