package io.archway.proxy.tls;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.TrafficObserver.TlsRejection;
import io.archway.proxy.tcp.TcpProxy;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the {@link SslHandler} of a TLS Terminate listener's connection while its handshake
 * runs: once it succeeds, gives way to the {@link TcpProxy} relay, which then connects to the
 * backend (so a failed handshake never costs a backend connection); when it fails, times out or
 * the client leaves, reports why and closes. During the handshake a FIN from the client closes
 * the connection (half-closure is for the relayed stream only, and is switched back on here, with
 * TLS 1.3's half-close kept by BoringSSL too: {@link BoringSslHalfClose}).
 */
final class TerminatedHandshake extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TerminatedHandshake.class);

    private final TlsRoutes.Target target;
    private final TcpProxy tcpProxy;
    private final TrafficObserver observer;
    private final int listenerPort;
    private final String serverName;
    private boolean done;

    TerminatedHandshake(TlsRoutes.Target target, TcpProxy tcpProxy, TrafficObserver observer, int listenerPort,
                        String serverName) {
        this.target = target;
        this.tcpProxy = tcpProxy;
        this.observer = observer;
        this.listenerPort = listenerPort;
        this.serverName = serverName;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent completion) || done) {
            ReferenceCountUtil.release(evt);
            return;
        }
        done = true;
        if (completion.isSuccess()) {
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            final ChannelHandlerContext ssl = ctx.pipeline().context(SslHandler.class);
            BoringSslHalfClose.keepWriteSideOpen(((SslHandler) ssl.handler()).engine());
            ctx.pipeline().remove(this);
            tcpProxy.serveActive(ssl, target.targets(), listenerPort, serverName);
            return;
        }
        final Throwable cause = completion.cause();
        final TlsRejection reason = cause instanceof SslHandshakeTimeoutException ? TlsRejection.TIMEOUT
                : cause instanceof ClosedChannelException ? TlsRejection.CLIENT_CLOSED : TlsRejection.HANDSHAKE_FAILED;
        LOG.debug("{}: TLS handshake for {} failed ({}): {}", ctx.channel(), serverName, reason, cause.toString());
        try {
            observer.tlsPassthroughRejected(listenerPort, reason);
        } catch (RuntimeException ignored) {
            // an observer must not break the data plane
        }
        ctx.close();
    }

    /** No application data precedes the handshake's completion (no 0-RTT): nothing reaches here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    /** The handshake's failure arrives as a completion event too; the exception itself is only logged. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{}: during the TLS handshake for {}: {}", ctx.channel(), serverName, cause.toString());
        ctx.close();
    }
}
