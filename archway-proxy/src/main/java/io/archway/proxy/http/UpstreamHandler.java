package io.archway.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands what the backend sends to the
 * {@link UpstreamListener} (attempt or mirror) that currently owns the connection. Between
 * requests (idle in the pool) anything the backend sends
 * is unexpected and closes the connection.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamConnectionPool pool;
    private UpstreamListener exchange;

    UpstreamHandler(UpstreamConnectionPool pool) {
        this.pool = pool;
    }

    void attach(UpstreamListener listener) {
        this.exchange = listener;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final UpstreamListener ex = exchange;
        if (ex == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof FullHttpResponse full) {
            // An HTTP/2 response that ended with its headers arrives as one message.
            ex.onUpstreamResponse(full);
            ex.onUpstreamContent(new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders()));
            full.release();
            return;
        }
        if (msg instanceof HttpResponse response) {
            ex.onUpstreamResponse(response);
        }
        if (msg instanceof HttpContent content) {
            ex.onUpstreamContent(content);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        final UpstreamListener ex = exchange;
        if (ex != null) {
            ex.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        final UpstreamListener ex = exchange;
        if (ex != null) {
            ex.onUpstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        final UpstreamListener ex = exchange;
        if (ex != null) {
            ex.onUpstreamClosed(null);
        } else {
            pool.remove(ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            final UpstreamListener ex = exchange;
            if (ex != null) {
                ex.onUpstreamIdle();
            } else {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        final UpstreamListener ex = exchange;
        if (ex != null) {
            ex.onUpstreamClosed(cause);
        }
        ctx.close();
    }
}
