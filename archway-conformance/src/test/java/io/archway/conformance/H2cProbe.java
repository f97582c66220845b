package io.archway.conformance;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * roundtripper's {@code H2C_PRIOR_KNOWLEDGE} protocol: Go's {@code http2.Transport} with
 * {@code AllowHTTP} over a plain TCP dial, one new connection per request (as
 * {@link HttpProbe}): the HTTP/2 preface and SETTINGS straight away, then one stream.
 */
final class H2cProbe {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("h2c-probe", true), NioIoHandler.newFactory());

    private H2cProbe() {
    }

    static HttpProbe.Response send(HttpProbe.Request r) throws IOException {
        long timeoutMs = Math.max(1, r.timeout().toMillis());
        CompletableFuture<HttpProbe.Response> done = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMs)
                .handler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                }).connect(r.ip(), r.connectPort());
        Channel ch = null;
        try {
            if (!connect.await(timeoutMs) || !connect.isSuccess()) {
                throw new IOException("h2c connect to " + r.ip() + ":" + r.connectPort() + " failed: "
                        + (connect.cause() == null ? "timeout" : connect.cause()));
            }
            ch = connect.channel();
            ch.closeFuture().addListener(f -> done.completeExceptionally(
                    new IOException("connection closed before the response")));
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(ch).handler(
                    new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel s) {
                            s.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                                    new HttpObjectAggregator(16 << 20), new SimpleChannelInboundHandler<FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                                            done.complete(response(res));
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            done.completeExceptionally(new IOException("h2c stream failed", cause));
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            done.completeExceptionally(new IOException("stream reset before the response"));
                                        }
                                    });
                        }
                    }).open().get(timeoutMs, TimeUnit.MILLISECONDS);
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(r.method()),
                    HttpProbe.escapePath(r.path()), Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, r.host());
            r.headers().forEach((k, v) -> req.headers().set(k, v));
            if (body.length > 0) {
                req.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            stream.writeAndFlush(req);
            return done.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("h2c request timed out after " + timeoutMs + " ms");
        } finally {
            if (ch != null) {
                ch.close();
            } else {
                connect.channel().close();
            }
        }
    }

    private static HttpProbe.Response response(FullHttpResponse res) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : res.headers()) {
            if (!h.getKey().startsWith("x-http2-")) { // Netty's conversion markers, not on the wire
                headers.computeIfAbsent(EchoServer.canonicalHeaderName(h.getKey()), k -> new ArrayList<>())
                        .add(h.getValue());
            }
        }
        return new HttpProbe.Response(res.status().code(), "HTTP/2.0", headers, ByteBufUtil.getBytes(res.content()));
    }
}
