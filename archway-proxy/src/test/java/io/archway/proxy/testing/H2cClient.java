package io.archway.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
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
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client, one stream per request, on one connection: with prior knowledge (h2c), or
 * over TLS ({@link #overTls}: ALPN h2, any server certificate), where every stream shares the
 * connection's SNI name whatever its {@code :authority} (connection coalescing).
 */
public final class H2cClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final String scheme;

    public H2cClient(int port) {
        this(port, null);
    }

    private H2cClient(int port, String sni) {
        this.scheme = sni == null ? "http" : "https";
        final io.netty.handler.ssl.SslContext tls;
        try {
            tls = sni == null ? null : io.netty.handler.ssl.SslContextBuilder.forClient()
                    .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            "h2")).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sni != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), sni, port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                }).connect("127.0.0.1", port).syncUninterruptibly().channel();
        if (sni != null) {
            final io.netty.handler.ssl.SslHandler ssl = connection.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            ssl.handshakeFuture().syncUninterruptibly();
            if (!"h2".equals(ssl.applicationProtocol())) {
                throw new IllegalStateException("ALPN chose " + ssl.applicationProtocol() + ", not h2");
            }
        }
    }

    /** h2 over TLS to {@code port}, the handshake with the server name {@code sni}. */
    public static H2cClient overTls(int port, String sni) {
        return new H2cClient(port, sni);
    }

    /** Sends a request on a new stream; the response as "status body". */
    public String send(HttpMethod method, String path, String authority, String body) throws Exception {
        return send(method, path, authority, body, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    }

    /**
     * @param fields added to the request; a Cookie field with several cookies leaves as crumbs, one
     *     field per cookie (Netty's codec splits it, as RFC 9113 section 8.2.3 allows)
     */
    public String send(HttpMethod method, String path, String authority, String body,
                       io.netty.handler.codec.http.HttpHeaders fields) throws Exception {
        final CompletableFuture<String> result = new CompletableFuture<>();
        final Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                                new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        result.complete(r.status().code() + " "
                                                + r.content().toString(StandardCharsets.UTF_8));
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        result.completeExceptionally(new IllegalStateException("stream closed"));
                                    }
                                });
                    }
                }).open().syncUninterruptibly().getNow();
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                stream.alloc().buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8)));
        request.headers().set(HttpHeaderNames.HOST, authority);
        request.headers().set("x-http2-scheme", scheme);
        request.headers().add(fields);
        if (!body.isEmpty()) {
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        }
        stream.writeAndFlush(request);
        return result.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
