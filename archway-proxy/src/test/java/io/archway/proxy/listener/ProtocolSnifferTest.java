package io.archway.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProtocolSnifferTest {
    private final List<String> chosen = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffer(
            ctx -> install(ctx, "http1"), ctx -> install(ctx, "h2")));

    private void install(ChannelHandlerContext ctx, String name) {
        chosen.add(name);
        ctx.pipeline().addAfter(ctx.name(), name, new ChannelInboundHandlerAdapter());
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private String inboundText() {
        final StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readInbound()) != null) {
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString();
    }

    @Test
    void http11IsRecognisedOnTheFirstByteThatDiffers() {
        channel.writeInbound(ascii("GET"));
        assertThat(chosen).containsExactly("http1");
        assertThat(channel.pipeline().get(ProtocolSniffer.class)).isNull();
        channel.writeInbound(ascii(" / HTTP/1.1\r\n"));
        // Every byte reaches the installed handlers, in order.
        assertThat(inboundText()).isEqualTo("GET / HTTP/1.1\r\n");
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void priorKnowledgePrefaceSelectsHttp2OnlyWhenComplete() {
        channel.writeInbound(ascii("PRI * HTTP/2.0\r\n"));
        assertThat(chosen).isEmpty();
        assertThat(channel.<Object>readInbound()).isNull();
        channel.writeInbound(ascii("\r\nSM\r\n\r\nFRAMES"));
        assertThat(chosen).containsExactly("h2");
        assertThat(inboundText()).isEqualTo("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nFRAMES");
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void aMethodStartingLikeThePrefaceIsStillHttp11() {
        channel.writeInbound(ascii("PRIX / HTTP/1.1\r\n"));
        assertThat(chosen).containsExactly("http1");
        assertThat(inboundText()).isEqualTo("PRIX / HTTP/1.1\r\n");
    }
}
