package io.archway.proxy.tcp;

import io.archway.proxy.ConnectingSocketGuard;
import io.archway.proxy.TrafficObserver;
import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.Telemetry;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied TCP connection: the client's ({@code downstream}) and the backend's
 * ({@code upstream}) channels, both on the downstream's event loop, so this state needs no lock.
 *
 * <p>Life: accept (auto-read off) -> connect within the connect timeout -> both sides read ->
 * each chunk read is written to the other side, and the reading side reads again only once that
 * write completed -> a FIN from one side (input shutdown, with half-closure allowed) becomes a
 * FIN to the other after the bytes before it are written -> when both FINs were forwarded (every
 * byte of both directions written), or on any error, reset or idle timeout, both close.
 *
 * <p>No byte is lost on a graceful close: a channel is closed gracefully only once nothing is left
 * to write to it; bytes the client sends before the backend connection is up (the epoll transport
 * reads a socket to its end when the peer's FIN arrives, read requested or not) wait for it; and
 * {@link EpollInterest} keeps Netty's epoll transport from losing writes to half-closed sockets.
 */
final class TcpRelay {
    private static final Logger LOG = LoggerFactory.getLogger(TcpRelay.class);

    private final Channel downstream;
    private final L4Targets targets;
    private final Bootstrap bootstrap;
    private final TrafficObserver observer;
    private final Telemetry telemetry;
    private final int listenerPort;
    /** TLS passthrough: the server name; null for a TCP listener. */
    private final String sni;
    private SocketAddress clientAddress;
    private InetSocketAddress endpoint;
    private final long startNanos = System.nanoTime();
    private final Side client = new Side(true);
    private final Side backend = new Side(false);
    private Channel upstream;
    private BackendOrigin backendOrigin;
    /** The backend connection is up: bytes read from the client can be written to it. */
    private boolean connected;

    TcpRelay(Channel downstream, L4Targets targets, Bootstrap bootstrap, TrafficObserver observer,
             Telemetry telemetry, int listenerPort, String sni) {
        this.downstream = downstream;
        this.targets = targets;
        this.bootstrap = bootstrap;
        this.observer = observer;
        this.telemetry = telemetry;
        this.listenerPort = listenerPort;
        this.sni = sni;
        downstream.closeFuture().addListener(f -> closed());
    }

    Side clientSide() {
        return client;
    }

    private void start() {
        clientAddress = downstream.remoteAddress();
        final L4Targets.Backend picked = targets != null ? targets.pick() : null;
        final InetSocketAddress endpoint = picked != null ? picked.nextEndpoint() : null;
        this.endpoint = endpoint;
        if (endpoint == null) {
            // No route, only zero weights, or an invalid backend / one without endpoints picked.
            LOG.debug("{}: no usable backend ({}), closing", downstream, targets == null ? "no route"
                    : picked == null ? "no backend with weight" : "backend " + picked.origin() + " invalid or without endpoints");
            downstream.close();
            return;
        }
        backendOrigin = picked.origin();
        final ChannelFuture connect = bootstrap.clone(downstream.eventLoop()).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(ConnectingSocketGuard.INSTANCE, backend);
            }
        }).connect(endpoint);
        upstream = connect.channel();
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                LOG.debug("{}: connect to {} ({}) failed: {}", downstream, endpoint, backendOrigin, f.cause().toString());
                TcpProxy.safe(() -> observer.upstreamConnectError(backendOrigin));
                downstream.close();
            } else if (!downstream.isActive()) {
                upstream.close();
            } else {
                connected = true;
                client.flushEarly();
                upstream.read();
            }
        });
    }

    private void closeBoth() {
        downstream.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Once, when the client's channel closed: the backend's goes too, then telemetry. */
    private void closed() {
        if (upstream != null) {
            upstream.close();
        }
        final RouteOrigin route = targets != null ? targets.origin() : null;
        final long duration = System.nanoTime() - startNanos;
        final BackendOrigin used = upstream != null ? backendOrigin : null;
        TcpProxy.safe(() -> observer.tcpConnectionClosed(route, used, client.bytes, backend.bytes, duration));
        TcpProxy.safe(() -> telemetry.l4Finished(clientAddress != null ? clientAddress : downstream.remoteAddress(),
                listenerPort, sni != null ? "tls" : "tcp", route, used, used != null ? endpoint : null, client.bytes,
                backend.bytes, duration, sni));
    }

    /** Reads one side and writes what it read to the other. */
    final class Side extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
        private final boolean fromClient;
        private Channel self;
        /** Bytes read on this side (and written to the other). */
        private long bytes;
        private boolean inputShut;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
        }

        /** Read from the client before the backend connection was up, in order. */
        private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
        /** This side's FIN, after every byte read before it, was written to the other side. */
        private boolean finForwarded;

        private Channel other() {
            return fromClient ? upstream : downstream;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            self = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            EpollInterest.keep(ctx.channel());
            if (fromClient) {
                start();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (fromClient && !connected) {
                // Read although no read was asked for (the client's FIN came with data): it waits
                // for the backend connection, never dropped.
                if (ctx.channel().isActive()) {
                    early.add(buf);
                } else {
                    buf.release();
                }
                return;
            }
            final Channel other = other();
            if (!other.isActive()) {
                // The other side is gone: these bytes can never be delivered, so the connection ends.
                LOG.debug("{}: {} bytes read after the {} side closed, closing", downstream, buf.readableBytes(),
                        fromClient ? "backend" : "client");
                buf.release();
                closeBoth();
                return;
            }
            relay(buf);
        }

        private void relay(ByteBuf buf) {
            bytes += buf.readableBytes();
            // The next read waits for this write: at most one chunk in flight per direction.
            other().writeAndFlush(buf).addListener(this);
        }

        /** The backend connection is up: writes what the client sent before, then its FIN if it came. */
        void flushEarly() {
            ByteBuf buf;
            final boolean any = !early.isEmpty();
            while ((buf = early.poll()) != null) {
                relay(buf);
            }
            if (inputShut) {
                forwardFin();
            } else if (!any) {
                self.read();
            }
        }

        private void releaseEarly() {
            ByteBuf buf;
            while ((buf = early.poll()) != null) {
                buf.release();
            }
        }

        /** The chunk read on this side was written to the other (or failed). */
        @Override
        public void operationComplete(ChannelFuture future) {
            if (future.isSuccess()) {
                if (!inputShut) {
                    self.read();
                }
            } else {
                closeBoth();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (!inputShut) {
                    inputShut = true;
                    if (!fromClient || connected) {
                        forwardFin();
                    }
                    // else forwarded behind the early bytes once the backend connection is up
                }
            } else if (evt instanceof IdleStateEvent) {
                LOG.debug("{}: idle timeout, closing", downstream);
                closeBoth();
            }
            ReferenceCountUtil.release(evt);
        }

        /**
         * This side sent FIN: FIN the other after what was read before it; close both once both
         * directions' FINs were written (so nothing is left to write to either side).
         */
        private void forwardFin() {
            final Channel other = other();
            if (!other.isActive()) {
                closeBoth();
                return;
            }
            // Queued behind the last chunk written, so the FIN never overtakes data: it completes
            // only once every byte before it was written.
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture written) -> {
                if (!written.isSuccess()) {
                    closeBoth();
                    return;
                }
                shutdownOutput(other).addListener((ChannelFuture shut) -> {
                    if (!shut.isSuccess()) {
                        closeBoth();
                        return;
                    }
                    finForwarded = true;
                    if (client.finForwarded && backend.finForwarded) {
                        closeBoth();
                    }
                });
            });
        }

        /**
         * Half-closes {@code channel}: a FIN, after a TLS close_notify when the proxy terminates
         * the client's TLS (a TLS Terminate listener), so the client sees the end of the stream
         * rather than a truncation.
         */
        private ChannelFuture shutdownOutput(Channel channel) {
            final SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null) {
                return ((DuplexChannel) channel).shutdownOutput();
            }
            final ChannelPromise shut = channel.newPromise();
            ssl.closeOutbound().addListener(f -> {
                if (f.isSuccess()) {
                    ((DuplexChannel) channel).shutdownOutput(shut);
                } else {
                    shut.setFailure(f.cause());
                }
            });
            return shut;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Closed (reset, error or our own close): the other side goes as soon as what it was
            // sent is written.
            releaseEarly();
            final Channel other = other();
            if (other != null && other.isActive()) {
                other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{} side of {}: {}", fromClient ? "client" : "backend", downstream, cause.toString());
            closeBoth();
        }
    }
}
