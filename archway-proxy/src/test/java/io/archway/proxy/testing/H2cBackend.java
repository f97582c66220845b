package io.archway.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that speaks only HTTP/2 with prior knowledge: answers "h2c <path> <authority>", or
 * echoes a request body.
 */
public final class H2cBackend implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bytesFlushed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesReceived = new java.util.concurrent.atomic.AtomicLong();
    private volatile long stallMillis = 1500;

    public H2cBackend() {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                new Streaming(), new HttpObjectAggregator(1 << 20), new Responder());
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    /** Response body bytes of /big/N written to the stream so far. */
    public long bytesFlushed() {
        return bytesFlushed.get();
    }

    /** Request body bytes read so far by /stall streams. */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * {@code /big/N}: N bytes of body, written only while the stream is writable (its flow-control
     * window); {@code /stall}: reads nothing for a while (the window stays closed), then counts
     * the body and answers {@code received=N}.
     */
    private final class Streaming extends io.netty.channel.ChannelInboundHandlerAdapter {
        private long bigRemaining;
        private long counting = -1;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.handler.codec.http.HttpRequest request && request.uri().startsWith("/big/")) {
                bigRemaining = Long.parseLong(request.uri().substring(5));
                final io.netty.handler.codec.http.HttpResponse response = new io.netty.handler.codec.http
                        .DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                io.netty.handler.codec.http.HttpUtil.setContentLength(response, bigRemaining);
                ctx.writeAndFlush(response);
                io.netty.util.ReferenceCountUtil.release(msg);
                writeBig(ctx);
                return;
            }
            if (msg instanceof io.netty.handler.codec.http.HttpRequest request && request.uri().startsWith("/stall")) {
                counting = 0;
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), stallMillis,
                        TimeUnit.MILLISECONDS);
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            if (counting >= 0 && msg instanceof io.netty.handler.codec.http.HttpContent content) {
                counting += content.content().readableBytes();
                bytesReceived.addAndGet(content.content().readableBytes());
                content.release();
                if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                    final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK, Unpooled.copiedBuffer("received=" + counting, StandardCharsets.UTF_8));
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                    counting = -1;
                    ctx.writeAndFlush(response);
                }
                return;
            }
            if (bigRemaining > 0 || counting >= 0) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                writeBig(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void writeBig(ChannelHandlerContext ctx) {
            while (bigRemaining > 0 && ctx.channel().isWritable()) {
                final int n = (int) Math.min(16384, bigRemaining);
                bigRemaining -= n;
                final ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
                final Object out = bigRemaining == 0 ? new io.netty.handler.codec.http.DefaultLastHttpContent(chunk)
                        : new io.netty.handler.codec.http.DefaultHttpContent(chunk);
                ctx.writeAndFlush(out).addListener(f -> {
                    if (f.isSuccess()) {
                        bytesFlushed.addAndGet(n);
                    }
                });
            }
        }
    }

    private static final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            final ByteBuf body = request.content().isReadable() ? request.content().retain()
                    : Unpooled.copiedBuffer("h2c " + request.uri() + " " + request.headers().get(HttpHeaderNames.HOST),
                            StandardCharsets.UTF_8);
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    body);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.writeAndFlush(response);
        }
    }
}
