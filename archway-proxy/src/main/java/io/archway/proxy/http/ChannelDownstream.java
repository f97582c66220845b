package io.archway.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;

/**
 * An HTTP/1.1 connection as a {@link Downstream}: its {@link HttpProxyHandler}'s context, made
 * once per connection (nothing per request). Writes start at the proxy handler, the pipeline's
 * last, as the channel's own would.
 */
final class ChannelDownstream implements Downstream {
    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private final String clientIp;

    ChannelDownstream(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.clientIp = UpstreamRequestBuilder.clientIp(channel.remoteAddress());
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void write(Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
    }

    @Override
    public ChannelFuture writeAndFlush(Object msg) {
        return ctx.writeAndFlush(msg);
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public ChannelPromise voidPromise() {
        return ctx.voidPromise();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public void closeAfter(ChannelFuture written) {
        written.addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public boolean isAutoRead() {
        return channel.config().isAutoRead();
    }

    @Override
    public void setAutoRead(boolean autoRead) {
        channel.config().setAutoRead(autoRead);
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public String clientIp() {
        return clientIp;
    }

    @Override
    public String sniHostname() {
        return channel.attr(HttpProxyHandler.SNI_HOSTNAME).get();
    }

    @Override
    public String protocol(boolean http10) {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }
}
