package io.archway.proxy.listener;

import io.archway.proxy.http.HttpProxyHandler;
import io.archway.proxy.http.PortRoutes;
import io.archway.proxy.http.RouteIndex;
import io.archway.snapshot.SocketKey;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One listening socket and the connections it accepted. While the port is in the snapshot its
 * routing is read from the data plane's current snapshot; once removed it keeps serving in-flight
 * requests on its last routing while it drains.
 */
final class BoundPort implements PortRoutes {
    private final SocketKey key;
    private final AtomicReference<CompiledSnapshot> current;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel serverChannel;
    private volatile ServedPort retired;

    BoundPort(SocketKey key, AtomicReference<CompiledSnapshot> current) {
        this.key = key;
        this.current = current;
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
     * switches between HTTP and HTTPS, so no plain-text connection outlives a switch to TLS.
     */
    void drainConnections() {
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                final HttpProxyHandler handler = ch.pipeline().get(HttpProxyHandler.class);
                if (handler != null) {
                    handler.drain();
                } else {
                    ch.close();
                }
            });
        }
    }

    /** Closes every remaining connection (drain timeout or shutdown). */
    void forceClose() {
        if (serverChannel != null) {
            serverChannel.close();
        }
        connections.close();
    }
}
