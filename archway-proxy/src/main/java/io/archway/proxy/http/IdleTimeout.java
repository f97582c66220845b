package io.archway.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of an HTTP connection (downstream and upstream): fires
 * {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} (the first time after activity
 * {@link IdleStateEvent#FIRST_ALL_IDLE_STATE_EVENT}) when nothing was read or written for the
 * timeout, as Netty's {@code IdleStateHandler(0, 0, timeout)} does, so the handlers behind it react
 * to the same event.
 *
 * <p>Why not Netty's handler: to time writes it turns every write's promise into a real one and adds
 * a listener to it (a {@code DefaultChannelPromise} and a listener array per write, and a void
 * promise is never void any more), because it counts a write when it completes. This one counts a
 * write when it is issued, which for a proxy is the same signal: a peer that stops reading stops the
 * writes too (the other side's reading pauses while a channel is not writable), so the connection
 * still goes idle. Reads count per read batch ({@code channelReadComplete}), as Netty's do.
 */
public final class IdleTimeout extends ChannelDuplexHandler implements Runnable {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    /** The event loop's clock (a test's {@code EmbeddedChannel} moves its own). */
    private Ticker ticker;
    private long lastActivity;
    private boolean firstSinceActivity = true;
    private Future<?> timer;
    private boolean destroyed;

    public IdleTimeout(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor() instanceof AbstractScheduledEventExecutor loop ? loop.ticker()
                : Ticker.systemTicker();
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        activity();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        activity();
        ctx.write(msg, promise);
    }

    private void activity() {
        lastActivity = ticker.nanoTime();
        firstSinceActivity = true;
    }

    private void start() {
        if (timer != null || destroyed || timeoutNanos <= 0) {
            return;
        }
        lastActivity = ticker.nanoTime();
        timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        destroyed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The timer: fires the event when the timeout passed since the last activity, else waits the rest. */
    @Override
    public void run() {
        if (destroyed || !ctx.channel().isOpen()) {
            return;
        }
        final long left = timeoutNanos - (ticker.nanoTime() - lastActivity);
        if (left > 0) {
            timer = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        final boolean first = firstSinceActivity;
        firstSinceActivity = false;
        ctx.fireUserEventTriggered(first ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT
                : IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
}
