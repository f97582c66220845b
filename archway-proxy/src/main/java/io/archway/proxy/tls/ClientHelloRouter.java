package io.archway.proxy.tls;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.TrafficObserver.TlsRejection;
import io.archway.proxy.tcp.TcpProxy;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a TLS socket's connection: reads the ClientHello (auto-read off, one read
 * at a time, Netty's parser, the bytes kept as they came), and once it is complete picks the route
 * by its server name. For a Passthrough listener it gives way to a {@link HelloReplay} holding
 * every byte read so far; for a Terminate listener to an {@link SslHandler} with the listener's
 * certificate for that name, which reads the ClientHello from those bytes and completes the
 * handshake. Either way the connection then goes to the {@link TcpProxy}, which relays what the
 * handler before it passes on: the raw TLS bytes, or the decrypted stream. When no route serves
 * the name it closes the connection and reports why. Runs on the connection's event loop only.
 */
final class ClientHelloRouter extends AbstractSniHandler<TlsRoutes.Target> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHelloRouter.class);
    static final String REPLAY = "tls-client-hello-replay";
    static final String TERMINATE = "tls-terminate";
    static final String HANDSHAKE = "tls-terminate-handshake";

    private final TlsRoutes routes;
    private final TcpProxy tcpProxy;
    private final TrafficObserver observer;
    private final int listenerPort;
    private final long timeoutMillis;
    /** Raw bytes this handler buffers at most before the ClientHello is complete (records of tiny fragments included). */
    private final int maxBuffered;
    private ScheduledFuture<?> timeout;
    /** Whether a ClientHello was found (false: the bytes are not a TLS ClientHello). */
    private boolean sawClientHello;
    /** Forwarded or rejected: this handler has done its part. */
    private boolean done;

    ClientHelloRouter(TlsRoutes routes, TcpProxy tcpProxy, TrafficObserver observer, int listenerPort,
                      int maxClientHello, long timeoutMillis) {
        // Netty's own handshake timeout is off (0): this handler keeps the time, to report it.
        super(maxClientHello, 0L);
        this.routes = routes;
        this.tcpProxy = tcpProxy;
        this.observer = observer;
        this.listenerPort = listenerPort;
        this.timeoutMillis = timeoutMillis;
        this.maxBuffered = 2 * maxClientHello + 1024;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    /** The activation is not passed on: the relay gets it once it is installed behind. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (timeout != null || done) {
            return;
        }
        timeout = ctx.executor().schedule(() -> reject(ctx, TlsRejection.TIMEOUT), timeoutMillis,
                TimeUnit.MILLISECONDS);
        // Auto-read is off: the decoder asks for the next read itself while the ClientHello is incomplete.
        ctx.read();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decode(ctx, in, out);
        // Netty bounds the ClientHello message; this bounds the raw bytes held to get it (a record
        // header announcing 64 KiB, a ClientHello split into tiny records).
        if (!done && !ctx.isRemoved() && in.readableBytes() > maxBuffered) {
            in.skipBytes(in.readableBytes());
            reject(ctx, TlsRejection.TOO_LARGE);
        }
    }

    @Override
    protected Future<TlsRoutes.Target> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        sawClientHello = clientHello != null;
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<TlsRoutes.Target> lookup(ChannelHandlerContext ctx, String hostname) {
        final String name = TlsRoutes.normalizeServerName(hostname);
        return ctx.executor().newSucceededFuture(name != null ? routes.route(name) : null);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<TlsRoutes.Target> future) {
        if (done || !ctx.channel().isActive()) {
            return; // timed out, or the client left: reported already or by channelInactive
        }
        final TlsRoutes.Target target = future.getNow();
        if (target == null) {
            final TlsRejection reason = !sawClientHello ? TlsRejection.NOT_TLS
                    : hostname == null ? TlsRejection.NO_SNI : TlsRejection.UNKNOWN_SNI;
            LOG.debug("{}: {} (server name {}), closing", ctx.channel(), reason, hostname);
            reject(ctx, reason);
            return;
        }
        final String name = TlsRoutes.normalizeServerName(hostname);
        // The port's one context; its key manager picks the same certificate again during the handshake.
        final SslContext certificate = target.terminates() && target.certificates().choose(name) != null
                ? routes.serverContext() : null;
        if (target.terminates() && certificate == null) {
            LOG.debug("{}: the listener serving {} has no valid certificate, closing", ctx.channel(), name);
            reject(ctx, TlsRejection.NO_CERTIFICATE);
            return;
        }
        done = true;
        cancelTimeout();
        // The decoder hands what it read (the ClientHello, untouched, and anything after it) to the
        // handler replacing it once this returns: the replay, which the relay reads first, or the
        // SslHandler, which reads the ClientHello from it and answers.
        if (certificate == null) {
            final HelloReplay replay = new HelloReplay();
            ctx.pipeline().replace(this, REPLAY, replay);
            tcpProxy.serveActive(ctx.pipeline().context(replay), target.targets(), listenerPort, name);
            return;
        }
        final SslHandler ssl = certificate.newHandler(ctx.alloc());
        ssl.setHandshakeTimeoutMillis(timeoutMillis);
        ctx.pipeline().addAfter(ctx.name(), HANDSHAKE,
                new TerminatedHandshake(target, tcpProxy, observer, listenerPort, name));
        ctx.pipeline().replace(this, TERMINATE, ssl);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && !done) {
            // FIN before the ClientHello was complete: there is nothing to forward.
            ReferenceCountUtil.release(evt);
            reject(ctx, TlsRejection.CLIENT_CLOSED);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            reject(ctx, classify(cause));
        } else {
            ctx.close();
        }
    }

    private static TlsRejection classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TooLongFrameException) {
                return TlsRejection.TOO_LARGE;
            }
            if (t instanceof NotSslRecordException) {
                return TlsRejection.NOT_TLS;
            }
            if (t instanceof IOException) {
                return TlsRejection.CLIENT_CLOSED;
            }
        }
        return TlsRejection.NOT_TLS;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        if (!done) {
            reject(ctx, TlsRejection.CLIENT_CLOSED);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        super.handlerRemoved0(ctx);
    }

    /** Closes the connection without an answer, once, and reports why. */
    private void reject(ChannelHandlerContext ctx, TlsRejection reason) {
        if (done) {
            return;
        }
        done = true;
        cancelTimeout();
        try {
            observer.tlsPassthroughRejected(listenerPort, reason);
        } catch (RuntimeException ignored) {
            // an observer must not break the data plane
        }
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
