package io.archway.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Holds the bytes read with the ClientHello (the hello itself, and whatever came in the same
 * reads) until the relay behind it first reads the client, which happens once the backend is
 * connected; that read is answered with the held bytes instead of the socket, and this handler
 * leaves the pipeline. So the relay forwards the ClientHello first, untouched, with the same
 * backpressure as every later chunk. A FIN read with the ClientHello is held too and passed on
 * after the bytes, so the backend sees the half-close in order.
 */
final class HelloReplay extends ChannelDuplexHandler {
    private ByteBuf held;
    private Object heldShutdown;
    /** The relay asked to read before the held bytes arrived. */
    private boolean readWanted;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = buf;
        } else {
            final CompositeByteBuf all = held instanceof CompositeByteBuf c ? c : ctx.alloc().compositeBuffer()
                    .addComponent(true, held);
            held = all.addComponent(true, buf);
        }
        if (readWanted) {
            replay(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Held bytes are passed on with their own read-complete.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && heldShutdown == null) {
            heldShutdown = evt;
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (held != null) {
            replay(ctx);
        } else {
            // The decoder passes its bytes on just after the route was chosen; a read asked for
            // before (a connect that completed at once) waits for them rather than reading past.
            readWanted = true;
        }
    }

    private void replay(ChannelHandlerContext ctx) {
        final ByteBuf bytes = held;
        final Object shutdown = heldShutdown;
        held = null;
        heldShutdown = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytes);
        ctx.fireChannelReadComplete();
        if (shutdown != null) {
            ctx.fireUserEventTriggered(shutdown);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
