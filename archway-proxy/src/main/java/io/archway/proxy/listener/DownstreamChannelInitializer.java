package io.archway.proxy.listener;

import io.archway.proxy.ProxyConfig;
import io.archway.proxy.http.HttpCodecConfig;
import io.archway.proxy.http.HttpProxyHandler;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.http.UpstreamConnectionPool;
import io.archway.proxy.tls.SniCertificateMapping;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of an accepted connection: [SNI/TLS] -> idle timer -> HTTP/1.1 codec -> 100-continue
 * -> proxy. The protocol (HTTP or HTTPS) is the port's as of accept time.
 */
final class DownstreamChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_CLIENT_HELLO = 16384;
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final BoundPort port;
    private final UpstreamConnectionPool pool;
    private final ProxyConfig config;

    DownstreamChannelInitializer(BoundPort port, UpstreamConnectionPool pool, ProxyConfig config) {
        this.port = port;
        this.pool = pool;
        this.config = config;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        port.connections().add(ch);
        final RouteIndex routes = port.current();
        final ChannelPipeline p = ch.pipeline();
        if (routes != null && routes.isHttps()) {
            // The mapping is looked up per handshake, so certificates of a newer snapshot apply to
            // new connections while established ones keep the context they negotiated.
            p.addLast("sni", new SniHandler((String host) -> {
                final RouteIndex now = port.current();
                final SniCertificateMapping mapping = now != null ? now.sniMapping() : null;
                final SslContext ctx = mapping != null ? mapping.map(host) : null;
                return ctx;
            }, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT_MILLIS));
        }
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("codec", new HttpServerCodec(HttpCodecConfig.server(config.maxInitialLineLength(),
                config.maxHeaderSize())));
        p.addLast("continue", new HttpServerExpectContinueHandler());
        p.addLast("proxy", new HttpProxyHandler(port, pool));
    }
}
