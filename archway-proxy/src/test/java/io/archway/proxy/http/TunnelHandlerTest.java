package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TunnelHandlerTest {
    private final EmbeddedChannel peer = new EmbeddedChannel();
    private final EmbeddedChannel side = new EmbeddedChannel(new TunnelHandler(peer));

    @AfterEach
    void finish() {
        side.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }

    @Test
    void relaysBytesToThePeerAndDropsCodecLeftovers() {
        side.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT, Unpooled.copiedBuffer("frame", StandardCharsets.US_ASCII));
        final ByteBuf out = peer.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("frame");
        out.release();
        assertThat(peer.<Object>readOutbound()).isNull();
        assertThat(side.<Object>readOutbound()).isNull();
        assertThat(side.<Object>readInbound()).isNull();
    }

    @Test
    void closingOneSideClosesThePeer() {
        side.close();
        peer.runPendingTasks();
        assertThat(peer.isOpen()).isFalse();
    }
}
