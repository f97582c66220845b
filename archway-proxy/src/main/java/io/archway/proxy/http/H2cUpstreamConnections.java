package io.archway.proxy.http;

import io.archway.proxy.ConnectingSocketGuard;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * HTTP/2 to {@code kubernetes.io/h2c} and gRPC backends: with prior knowledge in cleartext, or
 * over TLS with ALPN h2 for a backend a BackendTLSPolicy targets (the connection is used once the
 * handshake verified the backend and the backend chose h2). One multiplexed connection per
 * endpoint (and TLS settings) and event loop, one stream per request. A stream speaks the same HTTP/1 message
 * objects as an HTTP/1.1 connection (via {@link Http2StreamFrameToHttpObjectCodec}), so the
 * exchange does not care which it got. Only touched from its own event loop.
 */
final class H2cUpstreamConnections {
    private final Bootstrap bootstrap;
    private final UpstreamConnectionPool pool;
    private final Map<UpstreamAddress, ChannelFuture> connections = new HashMap<>();
    private final long idleMillis;

    H2cUpstreamConnections(Bootstrap template, UpstreamConnectionPool pool, long idleMillis) {
        this.pool = pool;
        this.idleMillis = idleMillis;
        this.bootstrap = template.clone().handler(initializer(null, 0));
    }

    /** An HTTP/2 connection's pipeline; over TLS when {@code tls} is set (to a backend on {@code port}). */
    private ChannelInitializer<SocketChannel> initializer(UpstreamTls tls, int port) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("connecting", ConnectingSocketGuard.INSTANCE);
                if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), port));
                }
                ch.pipeline().addLast("idle", new IdleTimeout(idleMillis))
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
        };
    }

    /** Closes every connection (shutdown); the closes are done when their futures are. */
    List<ChannelFuture> closeAll() {
        final List<ChannelFuture> closing = new ArrayList<>(connections.size());
        for (ChannelFuture connection : new ArrayList<>(connections.values())) {
            closing.add(connection.channel().close());
        }
        return closing;
    }

    /** Opens a stream to {@code address} for {@code exchange}, connecting first if needed. */
    void openStream(EventLoop loop, UpstreamAddress address, UpstreamListener exchange) {
        final UpstreamTls tls = address.tls();
        if (tls != null && tls.failure() != null) {
            exchange.onUpstreamConnectFailed(tls.failure());
            return;
        }
        ChannelFuture connection = connections.get(address);
        if (connection == null || connection.isDone() && !usable(connection)) {
            connection = tls == null ? bootstrap.clone(loop).connect(address.socketAddress())
                    : verified(bootstrap.clone(loop).handler(initializer(tls, address.port()))
                            .connect(address.socketAddress()));
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

    /**
     * Completes once {@code connect} did and the TLS handshake verified the backend and agreed on
     * h2 by ALPN (an HTTP/2 client must not speak h2 to a server that did not choose it, RFC 9113
     * section 3.2); fails, closing the connection, otherwise.
     */
    private static ChannelFuture verified(ChannelFuture connect) {
        final ChannelPromise ready = connect.channel().newPromise();
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                ready.setFailure(f.cause());
                return;
            }
            final SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    f.channel().close();
                    ready.setFailure(h.cause());
                } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                    f.channel().close();
                    ready.setFailure(new SSLException("the backend did not agree on h2 by ALPN (chose "
                            + ssl.applicationProtocol() + ")"));
                } else {
                    ready.setSuccess();
                }
            });
        });
        return ready;
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
