package io.archway.proxy.testing;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.certificate.PemKeyMaterial;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 backend over TLS (the JDK's): it presents {@code certificate}, may require a client
 * certificate issued by a given CA, records the SNI each handshake carried, and answers every
 * request that reaches it (after a completed handshake) with
 * {@code name sni=<server name> client=<client subject or ->}.
 */
public final class HttpsBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();

    /** @param clientCa when set, a client certificate issued by it is required */
    public HttpsBackend(String name, CertificateBundle certificate, TestCa clientCa) {
        this.name = name;
        final SslContext context;
        try {
            final SslContextBuilder b = SslContextBuilder.forServer(
                    PemKeyMaterial.privateKey(certificate.privateKeyPem()),
                    PemKeyMaterial.certificates(certificate.certificateChainPem()));
            if (clientCa != null) {
                b.trustManager(clientCa.certificate()).clientAuth(ClientAuth.REQUIRE);
            }
            context = b.build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // SniHandler records the ClientHello's server name, then hands over to the context.
                        ch.pipeline().addLast(new SniHandler(hostname -> {
                            serverNames.add(String.valueOf(hostname));
                            return context;
                        }) {
                            @Override
                            protected void onLookupComplete(ChannelHandlerContext ctx, io.netty.util.concurrent.Future<SslContext> f)
                                    throws Exception {
                                super.onLookupComplete(ctx, f);
                                ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                                    if (!h.isSuccess()) {
                                        failedHandshakes.incrementAndGet();
                                    }
                                });
                            }
                        }, new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The SNI of every ClientHello so far ({@code null} when one had none). */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    /** Requests that reached the application (past a successful handshake). */
    public int requests() {
        return requests.get();
    }

    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            requests.incrementAndGet();
            final javax.net.ssl.SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            String client = "-";
            try {
                client = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                // no client certificate
            }
            final String sni = serverNames.isEmpty() ? "-" : serverNames.get(serverNames.size() - 1);
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(name + " sni=" + sni + " client=" + client, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }
    }
}
