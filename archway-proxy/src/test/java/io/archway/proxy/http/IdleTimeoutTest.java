package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdleTimeoutTest {
    /** Records the idle events that reach the handler behind the timeout. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<IdleStateEvent> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e) {
                seen.add(e);
            }
        }
    }

    /** Records the promise each write carries when it leaves the timeout handler. */
    private static final class Promises extends ChannelOutboundHandlerAdapter {
        final List<ChannelPromise> seen = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            seen.add(promise);
            ctx.write(msg, promise);
        }
    }

    private static EmbeddedChannel channel(Events events) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new IdleTimeout(1000), events);
        return ch;
    }

    @Test
    void firesOnceTheTimeoutPassesWithoutReadsOrWrites() {
        final Events events = new Events();
        final EmbeddedChannel ch = channel(events);
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).isEmpty();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).containsExactly(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT);
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).containsExactly(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT,
                IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void readsAndWritesPostponeIt() {
        final Events events = new Events();
        final EmbeddedChannel ch = channel(events);
        ch.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1})); // a read batch: read, then read complete
        ch.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).isEmpty();
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
        ch.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).isEmpty();
        ch.advanceTimeBy(401, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).containsExactly(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT);
        ch.finishAndReleaseAll();
    }

    @Test
    void aVoidPromiseStaysVoid() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final Promises promises = new Promises();
        ch.pipeline().addLast(promises, new IdleTimeout(1000));
        ch.write(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise());
        ch.flush();
        assertThat(promises.seen).hasSize(1);
        assertThat(promises.seen.get(0).isVoid()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void stopsWhenTheChannelCloses() {
        final Events events = new Events();
        final EmbeddedChannel ch = channel(events);
        ch.close();
        ch.advanceTimeBy(5000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(events.seen).isEmpty();
    }
}
