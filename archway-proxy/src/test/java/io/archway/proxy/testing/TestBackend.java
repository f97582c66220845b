package io.archway.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small Netty HTTP/1.1 backend: a request without body gets its name as body; a request with a
 * body gets the body streamed back; {@code /slow} answers after {@code slowMillis}. Every response
 * names the backend in {@code x-backend}; it counts accepted connections and records requests.
 */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedDeque<HttpRequest> requests = new ConcurrentLinkedDeque<>();
    private volatile long slowMillis = 1500;
    private final java.util.concurrent.atomic.AtomicLong bytesFlushed = new java.util.concurrent.atomic.AtomicLong();

    public TestBackend(String name) {
        this.name = name;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new EchoHandler());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String name() {
        return name;
    }

    public int connections() {
        return connections.get();
    }

    public HttpRequest lastRequest() {
        return requests.peekLast();
    }

    public int requestCount() {
        return requests.size();
    }

    /** Body bytes of {@code /big} responses the socket accepted so far. */
    public long bytesFlushed() {
        return bytesFlushed.get();
    }

    public void slowMillis(long millis) {
        this.slowMillis = millis;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class EchoHandler extends ChannelInboundHandlerAdapter {
        private boolean echoing;
        private long counting = -1;
        private long bigRemaining;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request && request.uri().startsWith("/big/")) {
                // /big/<bytes>: stream that many bytes, writing only while the socket is writable.
                requests.add(request);
                bigRemaining = Long.parseLong(request.uri().substring(5));
                final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(response, bigRemaining);
                ctx.writeAndFlush(response);
                writeBig(ctx);
                return;
            }
            if (msg instanceof HttpRequest request && request.uri().startsWith("/stall")) {
                // Stop reading for slowMillis, then count the body and answer with its size.
                requests.add(request);
                counting = 0;
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), slowMillis,
                        TimeUnit.MILLISECONDS);
                return;
            }
            if (counting >= 0 && msg instanceof HttpContent content) {
                counting += content.content().readableBytes();
                content.release();
                if (msg instanceof LastHttpContent) {
                    final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK, Unpooled.copiedBuffer("received=" + counting, StandardCharsets.UTF_8));
                    HttpUtil.setContentLength(response, response.content().readableBytes());
                    counting = -1;
                    ctx.writeAndFlush(response);
                }
                return;
            }
            if (msg instanceof HttpRequest request) {
                requests.add(request);
                final boolean hasBody = HttpUtil.getContentLength(request, 0L) > 0
                        || HttpUtil.isTransferEncodingChunked(request);
                if (hasBody) {
                    echoing = true;
                    final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    decorate(response.headers(), request);
                    HttpUtil.setTransferEncodingChunked(response, true);
                    ctx.write(response);
                } else {
                    echoing = false;
                    final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK, Unpooled.copiedBuffer(name, StandardCharsets.UTF_8));
                    decorate(response.headers(), request);
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                    if (request.uri().startsWith("/slow")) {
                        ctx.executor().schedule(() -> ctx.writeAndFlush(response), slowMillis, TimeUnit.MILLISECONDS);
                    } else if (request.uri().startsWith("/close")) {
                        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                    } else {
                        ctx.write(response);
                    }
                }
            }
            if (msg instanceof HttpContent content) {
                if (echoing) {
                    ctx.write(content);
                } else {
                    content.release();
                }
            }
        }

        private void decorate(HttpHeaders headers, HttpRequest request) {
            headers.set("x-backend", name);
            headers.set("x-seen-host", String.valueOf(request.headers().get(HttpHeaderNames.HOST)));
            headers.set("x-seen-uri", request.uri());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                writeBig(ctx);
            }
        }

        private void writeBig(ChannelHandlerContext ctx) {
            while (bigRemaining > 0 && ctx.channel().isWritable()) {
                final int n = (int) Math.min(65536, bigRemaining);
                bigRemaining -= n;
                final boolean last = bigRemaining == 0;
                final io.netty.buffer.ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
                final Object out = last ? new io.netty.handler.codec.http.DefaultLastHttpContent(chunk)
                        : new io.netty.handler.codec.http.DefaultHttpContent(chunk);
                ctx.writeAndFlush(out).addListener(f -> {
                    if (f.isSuccess()) {
                        bytesFlushed.addAndGet(n);
                    }
                });
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Whether {@code msg} ends a request. */
    static boolean isLast(Object msg) {
        return msg instanceof LastHttpContent;
    }
}
