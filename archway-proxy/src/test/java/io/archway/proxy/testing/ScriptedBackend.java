package io.archway.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 backend whose behaviour a test sets: the status it answers, a delay before
 * answering, or not reading at all (a stalled peer). It records every whole request it received
 * (method, target, body) and counts its open connections.
 */
public final class ScriptedBackend implements AutoCloseable {
    /** One request as received. */
    public record Received(String method, String uri, String body, long atNanos) {
    }

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int status = 200;
    private volatile long delayMillis;
    private volatile boolean stalled;

    public ScriptedBackend(String name) {
        this.name = name;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                // a small receive window, so that a stalled connection backs up soon
                .childOption(io.netty.channel.ChannelOption.SO_RCVBUF, 65536)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        if (stalled) {
                            // Reads nothing for a second, then drains and drops what arrives (so it
                            // notices when the peer closes).
                            ch.config().setAutoRead(false);
                            ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                }
                            });
                            ch.eventLoop().schedule(() -> ch.config().setAutoRead(true), 1, TimeUnit.SECONDS);
                            return;
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20),
                                new Answer());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public ScriptedBackend status(int code) {
        this.status = code;
        return this;
    }

    public ScriptedBackend delayMillis(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /** New connections are accepted but not read from for a second (then drained and dropped). */
    public ScriptedBackend stalled() {
        this.stalled = true;
        return this;
    }

    public List<Received> received() {
        return received;
    }

    /** Connections currently open to this backend. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            received.add(new Received(req.method().name(), req.uri(), req.content().toString(StandardCharsets.UTF_8),
                    System.nanoTime()));
            final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(name, StandardCharsets.UTF_8));
            res.headers().set("x-backend", name).setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            if (delayMillis > 0) {
                ctx.executor().schedule(() -> ctx.writeAndFlush(res), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                ctx.writeAndFlush(res);
            }
        }
    }
}
