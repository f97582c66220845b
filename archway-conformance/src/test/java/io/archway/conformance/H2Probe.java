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
import io.netty.handler.ssl.SslHandler;
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
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * roundtripper's HTTP/2 protocols, one new connection per request (as {@link HttpProbe}), then one
 * stream: {@code H2C_PRIOR_KNOWLEDGE}, Go's {@code http2.Transport} with {@code AllowHTTP} over a
 * plain TCP dial (the HTTP/2 preface and SETTINGS straight away); and {@code H2}, Go's
 * {@code http2.Transport} with the request's TLS config: SNI = the server name, ALPN offering
 * {@code h2} only (a server that does not select it fails the request, "http2: unexpected ALPN
 * protocol"), trust = the given certificates with Go's hostname rules, {@code :authority} = the
 * request's Host, which may name another host than the SNI (what connection coalescing does, and
 * what misdirected-request detection must answer with 421).
 */
final class H2Probe {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("h2c-probe", true), NioIoHandler.newFactory());

    private H2Probe() {
    }

    static HttpProbe.Response send(HttpProbe.Request r) throws IOException {
        long timeoutMs = Math.max(1, r.timeout().toMillis());
        boolean tls = r.protocol().equals(HttpProbe.H2);
        SslHandler ssl = tls ? sslHandler(r) : null;
        CompletableFuture<HttpProbe.Response> done = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMs)
                .handler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                }).connect(r.ip(), r.connectPort());
        Channel ch = null;
        try {
            if (!connect.await(timeoutMs) || !connect.isSuccess()) {
                throw new IOException("h2 connect to " + r.ip() + ":" + r.connectPort() + " failed: "
                        + (connect.cause() == null ? "timeout" : connect.cause()));
            }
            ch = connect.channel();
            if (ssl != null) {
                handshake(ssl, r, timeoutMs);
            }
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
                                            done.completeExceptionally(new IOException("h2 stream failed", cause));
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
            throw new IOException("h2 request timed out after " + timeoutMs + " ms");
        } finally {
            if (ch != null) {
                ch.close();
            } else {
                connect.channel().close();
            }
        }
    }

    /** The TLS client side of an {@code H2} request (createTLSClientConfig, with http2's NextProtos). */
    private static SslHandler sslHandler(HttpProbe.Request r) throws IOException {
        if (r.tls() == null) {
            throw new IOException("https request has no trusted certificates configured");
        }
        if (r.serverName() == null || r.serverName().isEmpty()) {
            throw new IOException("https request has no server name configured");
        }
        SSLEngine engine = r.tls().createSSLEngine(r.serverName(), r.connectPort());
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        if (!HttpProbe.isIp(r.serverName())) {
            params.setServerNames(List.of(new SNIHostName(r.serverName())));
        }
        params.setApplicationProtocols(new String[] {"h2"});
        engine.setSSLParameters(params);
        return new SslHandler(engine);
    }

    /** Waits for the handshake, then checks what Go's client checks: the certificate's name and ALPN h2. */
    private static void handshake(SslHandler ssl, HttpProbe.Request r, long timeoutMs) throws IOException,
            InterruptedException {
        io.netty.util.concurrent.Future<Channel> hs = ssl.handshakeFuture();
        if (!hs.await(timeoutMs)) {
            throw new IOException("TLS handshake timed out after " + timeoutMs + " ms");
        }
        if (!hs.isSuccess()) {
            throw new IOException("TLS handshake failed: " + hs.cause(), hs.cause());
        }
        java.security.cert.Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
        if (peer.length == 0 || !(peer[0] instanceof java.security.cert.X509Certificate leaf)) {
            throw new IOException("no server certificate");
        }
        if (!HttpProbe.verifyHostname(leaf, r.serverName())) {
            throw new IOException("x509: certificate is not valid for " + r.serverName());
        }
        // The JDK engine's own ALPN result (SslHandler.applicationProtocol reads only Netty's wrappers).
        String alpn = ssl.engine().getApplicationProtocol();
        if (!"h2".equals(alpn)) {
            throw new IOException("http2: unexpected ALPN protocol " + ("\"" + (alpn == null ? "" : alpn) + "\"")
                    + "; want \"h2\"");
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
