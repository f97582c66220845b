package io.archway.proxy.udp;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.http.Telemetry;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client address and port of a UDP listener: a datagram socket connected to one endpoint of
 * the backend picked for it (so the kernel drops datagrams from anyone else), on the listening
 * socket's event loop. Datagrams the client sends go to that endpoint; the endpoint's replies go
 * back to the client from the listening socket. Ends when no datagram passes either way for the
 * idle timeout, when evicted, on a socket error (e.g. the endpoint's port unreachable), or when
 * the listening socket closes.
 *
 * <p>No queue grows without bound: until the upstream socket is connected at most
 * {@value #MAX_PENDING} datagrams wait; after that a datagram meeting a socket that is not
 * writable is dropped, as UDP may.
 */
final class UdpSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpSession.class);
    static final int MAX_PENDING = 16;

    private final UdpSessionTable table;
    private final InetSocketAddress client;
    private final RouteOrigin route;
    private final BackendOrigin backend;
    private final TrafficObserver observer;
    private final Telemetry telemetry;
    private final int listenerPort;
    private final InetSocketAddress endpoint;
    private final long startNanos = System.nanoTime();
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private Channel upstream;
    private boolean connected;
    private boolean closed;
    private long bytesFromClient;
    private long bytesToClient;

    UdpSession(UdpSessionTable table, InetSocketAddress client, RouteOrigin route, BackendOrigin backend,
               TrafficObserver observer, Telemetry telemetry, int listenerPort, InetSocketAddress endpoint) {
        this.telemetry = telemetry;
        this.listenerPort = listenerPort;
        this.endpoint = endpoint;
        this.table = table;
        this.client = client;
        this.route = route;
        this.backend = backend;
        this.observer = observer;
    }

    InetSocketAddress client() {
        return client;
    }

    RouteOrigin route() {
        return route;
    }

    void connect(Bootstrap bootstrap, InetSocketAddress endpoint, long idleMillis, ChannelGroup group) {
        safe(() -> observer.udpSessionOpened(route, backend));
        final UdpSession session = this;
        final ChannelFuture f = bootstrap.handler(new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
                ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("session", session);
            }
        }).connect(endpoint);
        upstream = f.channel();
        group.add(upstream);
        upstream.closeFuture().addListener(c -> closed());
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                LOG.debug("UDP session {} -> {}: {}", client, endpoint, done.cause().toString());
                close();
                return;
            }
            connected = true;
            ByteBuf buf;
            while ((buf = pending.poll()) != null) {
                upstream.write(buf, upstream.voidPromise());
            }
            upstream.flush();
        });
    }

    /**
     * Forwards a client datagram's payload (not retained by the caller); false when it was
     * dropped.
     */
    boolean toBackend(ByteBuf content) {
        if (closed) {
            return false;
        }
        if (!connected) {
            if (pending.size() >= MAX_PENDING) {
                return false;
            }
            pending.add(copy(upstream, content));
            bytesFromClient += content.readableBytes();
            return true;
        }
        if (!upstream.isWritable()) {
            return false;
        }
        bytesFromClient += content.readableBytes();
        upstream.writeAndFlush(copy(upstream, content), upstream.voidPromise());
        return true;
    }

    /** A right-sized copy: the receive buffer is sized for the largest datagram. */
    private static ByteBuf copy(Channel ch, ByteBuf content) {
        return ch.alloc().directBuffer(content.readableBytes()).writeBytes(content, content.readerIndex(),
                content.readableBytes());
    }

    /** A reply from the endpoint: back to this session's client, from the listening socket. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            final ByteBuf content = msg instanceof DatagramPacket packet ? packet.content()
                    : msg instanceof ByteBuf buf ? buf : null;
            final Channel listener = table.listener();
            if (content == null || closed) {
                return;
            }
            if (!listener.isActive() || !listener.isWritable()) {
                table.dropped();
                return;
            }
            bytesToClient += content.readableBytes();
            listener.writeAndFlush(new DatagramPacket(copy(listener, content), client), listener.voidPromise());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("UDP session {} idle, closing", client);
            close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // E.g. PortUnreachableException: the endpoint is gone; the client's next datagram starts a
        // new session and picks again.
        LOG.debug("UDP session {}: {}", client, cause.toString());
        close();
    }

    void close() {
        if (upstream != null) {
            upstream.close();
        } else {
            closed();
        }
    }

    /** Once, when the upstream socket closed. */
    private void closed() {
        if (closed) {
            return;
        }
        closed = true;
        table.remove(this);
        ByteBuf buf;
        while ((buf = pending.poll()) != null) {
            buf.release();
        }
        final long duration = System.nanoTime() - startNanos;
        safe(() -> observer.udpSessionClosed(route, backend, bytesFromClient, bytesToClient, duration));
        safe(() -> telemetry.l4Finished(client, listenerPort, "udp", route, backend, endpoint, bytesFromClient,
                bytesToClient, duration, null));
    }

    static void safe(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException ignored) {
            // an observer must not break the data plane
        }
    }

    @Override
    public String toString() {
        return "UDP session " + client + " -> " + backend;
    }
}
