package io.archway.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 with prior knowledge to {@code kubernetes.io/h2c} backends: one multiplexed connection
 * per endpoint and event loop, one stream per request. A stream speaks the same HTTP/1 message
 * objects as an HTTP/1.1 connection (via {@link Http2StreamFrameToHttpObjectCodec}), so the
 * exchange does not care which it got. Only touched from its own event loop.
 */
final class H2cUpstreamConnections {
    private final Bootstrap bootstrap;
    private final UpstreamConnectionPool pool;
    private final Map<UpstreamAddress, ChannelFuture> connections = new HashMap<>();

    H2cUpstreamConnections(Bootstrap template, UpstreamConnectionPool pool, long idleMillis) {
        this.pool = pool;
        this.bootstrap = template.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("h2", Http2FrameCodecBuilder.forClient().build())
                        // Server-initiated streams (push) are refused by default; nothing to handle.
                        .addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast("h2-idle", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof IdleStateEvent) {
                                    ctx.close();
                                }
                                ReferenceCountUtil.release(evt);
                            }
                        });
            }
        });
    }

    /** Opens a stream to {@code address} for {@code exchange}, connecting first if needed. */
    void openStream(EventLoop loop, UpstreamAddress address, UpstreamListener exchange) {
        ChannelFuture connection = connections.get(address);
        if (connection == null || connection.isDone() && !usable(connection)) {
            connection = bootstrap.clone(loop).connect(address.socketAddress());
            final ChannelFuture created = connection;
            connections.put(address, created);
            created.channel().closeFuture().addListener(f -> connections.remove(address, created));
        }
        connection.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                exchange.onUpstreamConnectFailed(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap(f.channel())
                    .handler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel stream) {
                            stream.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false))
                                    .addLast("upstream", new UpstreamHandler(pool));
                        }
                    })
                    .open()
                    .addListener((Future<Http2StreamChannel> s) -> {
                        if (s.isSuccess()) {
                            exchange.onUpstreamConnected(s.getNow(), false);
                        } else {
                            exchange.onUpstreamClosed(s.cause());
                        }
                    });
        });
    }

    /** Connected, open, and not told to go away (after GOAWAY no new stream may be opened). */
    private static boolean usable(ChannelFuture connection) {
        if (!connection.isSuccess() || !connection.channel().isActive()) {
            return false;
        }
        final Http2FrameCodec codec = connection.channel().pipeline().get(Http2FrameCodec.class);
        return codec != null && !codec.connection().goAwayReceived();
    }
}
