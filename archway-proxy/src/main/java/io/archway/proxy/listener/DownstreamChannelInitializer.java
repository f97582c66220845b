package io.archway.proxy.listener;

import io.archway.proxy.ProxyConfig;
import io.archway.proxy.TrafficObserver;
import io.archway.proxy.http.Http2ServerCodec;
import io.archway.proxy.http.Http2Streams;
import io.archway.proxy.http.HttpCodecConfig;
import io.archway.proxy.http.HttpProxyHandler;
import io.archway.proxy.http.IdleTimeout;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.http.h1.Http1Parser;
import io.archway.proxy.http.h1.Http1ServerCodec;
import io.archway.proxy.http.Telemetry;
import io.archway.proxy.http.UpstreamConnectionPool;
import io.archway.proxy.tcp.TcpProxy;
import io.archway.proxy.tls.TlsProxy;
import io.archway.proxy.tls.SniCertificateMapping;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;

/**
 * The pipeline of an accepted connection. The port's kind as of accept time decides: a TCP port
 * hands the connection to the {@link TcpProxy}, a TLS port to the {@link TlsProxy} (which reads the
 * ClientHello, terminates TLS for a Terminate listener, then hands it to the TcpProxy); HTTP and
 * HTTPS are served here. Cleartext: a sniffer picks HTTP/1.1 or h2c (prior
 * knowledge), and an HTTP/1.1 request may upgrade the connection to h2c. TLS: SNI picks the certificate, then ALPN picks h2 or HTTP/1.1. HTTP/1.1 gets the
 * codec and one {@link HttpProxyHandler}; HTTP/2 gets one {@link HttpProxyHandler} per stream,
 * driven by {@link Http2Streams} without a channel per stream (its stream codec checks RFC 9113's
 * request rules and turns stream frames into the same HTTP/1 message objects). The protocol
 * (HTTP or HTTPS) is the port's as of accept time. Connections and HTTP/2 streams are reported
 * to the {@link TrafficObserver} as they open and close (by the snapshot's listener port).
 */
final class DownstreamChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_CLIENT_HELLO = 16384;
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** An h2c upgrade request's body is held until the switch; a larger one is answered 413. */
    private static final int MAX_UPGRADE_REQUEST_BODY = 64 * 1024;

    private final BoundPort port;
    private final UpstreamConnectionPool pool;
    private final ProxyConfig config;
    private final Telemetry telemetry;
    private final TrafficObserver observer;
    private final int listenerPort;
    /** Shared by every connection of the port: no allocation per close. */
    private final ChannelFutureListener connectionClosed;
    /** An HTTP/2 stream's handler (shared by every connection of the port). */
    private final Supplier<HttpProxyHandler> streamHandlers;
    private final TcpProxy tcpProxy;
    private final TlsProxy tlsProxy;

    DownstreamChannelInitializer(BoundPort port, UpstreamConnectionPool pool, ProxyConfig config, Telemetry telemetry,
                                 TcpProxy tcpProxy, TlsProxy tlsProxy) {
        this.port = port;
        this.tcpProxy = tcpProxy;
        this.tlsProxy = tlsProxy;
        this.pool = pool;
        this.config = config;
        this.telemetry = telemetry;
        this.observer = telemetry.observer();
        this.listenerPort = port.key().port();
        this.connectionClosed = f -> observer.connectionClosed(listenerPort);
        this.streamHandlers = () -> new HttpProxyHandler(port, pool, false, telemetry);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        port.connections().add(ch);
        if (observer != TrafficObserver.NOOP) {
            observer.connectionOpened(listenerPort);
            ch.closeFuture().addListener(connectionClosed);
        }
        final ServedPort served = AcceptedConnections.served(ch);
        if (served instanceof ServedPort.Tcp tcp) {
            tcpProxy.serve(ch, tcp.targets(), listenerPort, null);
            return;
        }
        if (served instanceof ServedPort.Tls tls) {
            tlsProxy.serve(ch, tls.routes(), listenerPort);
            return;
        }
        final RouteIndex routes = served instanceof ServedPort.Http http ? http.index() : null;
        final ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleTimeout(config.idleTimeout().toMillis()));
        if (routes != null && routes.isHttps()) {
            // The mapping is looked up per handshake, so certificates of a newer snapshot apply to
            // new connections while established ones keep the context they negotiated.
            p.addLast("sni", new SniHandler((String host) -> {
                final RouteIndex now = port.current();
                final SniCertificateMapping mapping = now != null ? now.sniMapping() : null;
                return mapping != null ? mapping.contextFor(host) : null;
            }, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT_MILLIS));
            p.addLast("alpn", new AlpnProtocolHandler(ctx -> configureHttp1(ctx, false), this::configureHttp2));
        } else {
            p.addLast("sniff", new ProtocolSniffer(ctx -> configureHttp1(ctx, true), this::configureHttp2));
        }
    }

    /**
     * @param h2cUpgrade cleartext only: a request with {@code Upgrade: h2c} switches the connection
     *     to HTTP/2 (RFC 7540 section 3.2; RFC 9113 deprecates it but clients such as the JDK's
     *     HttpClient still use it for http:// URIs), the request itself becoming stream 1. Only the
     *     connection's first request can: the upgrade handler leaves the pipeline after it, so the
     *     requests after it pass one handler less (a server MAY ignore Upgrade, RFC 9110 section
     *     7.8; clients ask on the first request of a new connection)
     */
    private void configureHttp1(ChannelHandlerContext ctx, boolean h2cUpgrade) {
        final Http1ServerCodec codec = Http1Parser.configured().serverCodec(
                HttpCodecConfig.server(config.maxInitialLineLength(), config.maxHeaderSize()));
        String last = codec.addAfter(ctx.pipeline(), ctx.name());
        if (h2cUpgrade) {
            ctx.pipeline().addAfter(last, "h2c-upgrade", new HttpServerUpgradeHandler(codec, protocol ->
                    AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                            ? new Http2ServerUpgradeCodec(frameCodec(), streams(), idleClose(), new DropHttp1Handlers())
                            : null, MAX_UPGRADE_REQUEST_BODY, DefaultHttpHeadersFactory.headersFactory(),
                    DefaultHttpHeadersFactory.trailersFactory(), true) {
                /** Whether the request being upgraded declared its body's framing itself. */
                private boolean framed;

                @Override
                protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
                    // Only h2c is ours: other upgrades (WebSocket) go to the backend unaggregated.
                    final String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
                    framed = HttpUtil.isContentLengthSet(req) || HttpUtil.isTransferEncodingChunked(req);
                    return upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("h2c");
                }

                @Override
                protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
                    super.finishAggregation(aggregated);
                    // The aggregation adds "content-length: 0" to a request without body; the
                    // backend must see the request as the client sent it.
                    if (!framed && !aggregated.content().isReadable()) {
                        aggregated.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                    }
                }
            });
            last = "h2c-upgrade";
        }
        // The proxy handler answers Expect: 100-continue itself (one pipeline step less per message).
        ctx.pipeline().addAfter(last, "proxy", new HttpProxyHandler(port, pool, true, telemetry));
    }

    private void configureHttp2(ChannelHandlerContext ctx) {
        ctx.pipeline().addAfter(ctx.name(), "h2", frameCodec())
                .addAfter("h2", "h2-streams", streams())
                .addAfter("h2-streams", "h2-idle", idleClose());
    }

    private Http2FrameCodec frameCodec() {
        final Http2Settings settings = Http2Settings.defaultSettings()
                .maxHeaderListSize(config.maxHeaderSize())
                .maxConcurrentStreams(1000);
        // Closing the connection (drain) sends GOAWAY and waits for open streams.
        return Http2ServerCodec.build(settings, config.drainTimeout().toMillis());
    }

    /** One {@link HttpProxyHandler} per stream, served without a channel per stream. */
    private Http2Streams streams() {
        return new Http2Streams(streamHandlers, observer, listenerPort);
    }

    private static ChannelInboundHandlerAdapter idleClose() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                if (evt instanceof IdleStateEvent) {
                    c.close(); // graceful: GOAWAY first
                }
                ReferenceCountUtil.release(evt);
            }
        };
    }

    /**
     * Added with the HTTP/2 handlers when a connection upgrades to h2c: the connection's HTTP/1.1
     * handlers (idle since the upgrade request was their last) leave the pipeline.
     */
    private static final class DropHttp1Handlers extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            final ChannelPipeline p = ctx.pipeline();
            if (p.get("proxy") != null) {
                p.remove("proxy");
            }
            p.remove(this);
        }
    }
}
