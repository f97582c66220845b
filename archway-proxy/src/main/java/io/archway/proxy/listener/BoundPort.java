package io.archway.proxy.listener;

import io.archway.proxy.http.HttpProxyHandler;
import io.archway.proxy.http.PortRoutes;
import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.tcp.TcpProxy;
import io.archway.proxy.udp.UdpPortState;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.Transport;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One socket and its connections: a listening TCP socket and the connections it accepted (HTTP,
 * HTTPS, TLS passthrough or TCP, as the port's kind was at accept time), or a UDP socket and the upstream sockets
 * of its sessions. While the port is in the snapshot its routing is read from the data plane's
 * current snapshot; once removed it keeps serving what is in flight on its last routing while it
 * drains: HTTP requests finish, TCP and TLS passthrough connections run on (one still reading its
 * ClientHello closes), UDP sessions go on (the socket stays open,
 * new clients are dropped), until the drain timeout closes what is left.
 */
final class BoundPort implements PortRoutes, UdpPortState {
    private final SocketKey key;
    private final AtomicReference<CompiledSnapshot> current;
    private final Duration drainTimeout;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel serverChannel;
    private volatile ServedPort retired;
    /** The drain timeout's task while draining; guarded by the ListenerManager's lock. */
    private ScheduledFuture<?> drainDeadline;

    BoundPort(SocketKey key, AtomicReference<CompiledSnapshot> current, Duration drainTimeout) {
        this.key = key;
        this.current = current;
        this.drainTimeout = drainTimeout;
    }

    boolean udp() {
        return key.transport() == Transport.UDP;
    }

    void drainDeadline(ScheduledFuture<?> task) {
        this.drainDeadline = task;
    }

    /**
     * Serves again a removed UDP port whose socket is still open while it drains (the port came
     * back within the drain timeout): its sessions go on, new clients are served again.
     */
    void revive() {
        if (drainDeadline != null) {
            drainDeadline.cancel(false);
            drainDeadline = null;
        }
        retired = null;
    }

    SocketKey key() {
        return key;
    }

    void serverChannel(Channel channel) {
        this.serverChannel = channel;
    }

    Channel serverChannel() {
        return serverChannel;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    ChannelGroup connections() {
        return connections;
    }

    @Override
    public RouteIndex current() {
        return served() instanceof ServedPort.Http http ? http.index() : null;
    }

    @Override
    public L4Targets targets() {
        return served() instanceof ServedPort.Udp udp ? udp.targets() : null;
    }

    /** What this socket serves now: the current snapshot's, or its last while it drains. */
    ServedPort served() {
        final ServedPort now = current.get().port(key);
        return now != null ? now : retired;
    }

    @Override
    public boolean draining() {
        return retired != null;
    }

    /**
     * Stops accepting, and closes connections as they become idle: an idle one now, a busy one
     * after its current response (which carries {@code Connection: close}).
     */
    void startDraining(ServedPort last) {
        this.retired = last;
        if (udp()) {
            // The socket stays open: session replies leave through it. New clients are dropped
            // (draining()), and the drain timeout closes it.
            return;
        }
        // Wait for the listening socket to close, so that when apply returns the port no longer
        // accepts, and a later snapshot may bind it again. apply never runs on an event loop.
        if (serverChannel.eventLoop().inEventLoop()) {
            serverChannel.close();
        } else {
            serverChannel.close().awaitUninterruptibly();
        }
        drainConnections();
    }

    /**
     * Retires the connections accepted so far while the port keeps accepting: used when the port
     * switches protocol (HTTP, HTTPS, TLS passthrough, TCP), so no plain-text connection outlives
     * a switch to TLS and no connection is served by a kind its port no longer has. HTTP/1.1
     * connections close after their current response, HTTP/2 ones after GOAWAY, relayed TCP and
     * TLS passthrough ones run on until the drain timeout, the rest (a TLS passthrough connection
     * still reading its ClientHello) close at once.
     */
    void drainConnections() {
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                final HttpProxyHandler handler = ch.pipeline().get(HttpProxyHandler.class);
                if (handler != null) {
                    handler.drain();
                } else if (TcpProxy.relays(ch)) {
                    ch.eventLoop().schedule(() -> {
                        ch.close();
                    }, drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    ch.close();
                }
            });
        }
    }

    /**
     * Closes the socket and every remaining connection (drain timeout or shutdown); the futures
     * are done once each has closed.
     */
    List<Future<?>> forceClose() {
        final List<Future<?>> closing = new ArrayList<>(2);
        if (serverChannel != null) {
            closing.add(serverChannel.close());
        }
        closing.add(connections.close());
        return closing;
    }
}
