package io.archway.proxy.listener;

import io.archway.proxy.http.HttpProxyHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniCompletionEvent;
import java.util.function.Consumer;

/** After the TLS handshake, installs HTTP/2 when ALPN chose h2, else HTTP/1.1. */
final class AlpnProtocolHandler extends ApplicationProtocolNegotiationHandler {
    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    AlpnProtocolHandler(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx);
        } else {
            http1.accept(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni && sni.isSuccess() && sni.hostname() != null) {
            ctx.channel().attr(HttpProxyHandler.SNI_HOSTNAME).set(sni.hostname());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
