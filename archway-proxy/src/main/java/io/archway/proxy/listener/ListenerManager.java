package io.archway.proxy.listener;

import io.archway.proxy.ProxyConfig;
import io.archway.snapshot.SocketKey;
import io.archway.proxy.http.Telemetry;
import io.archway.proxy.http.UpstreamConnectionPool;
import io.archway.proxy.tcp.TcpProxy;
import io.archway.proxy.tls.TlsProxy;
import io.archway.proxy.udp.UdpProxy;
import io.archway.snapshot.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the sockets and the swap. {@link #apply} binds the sockets a new snapshot adds (all or
 * nothing): a listening TCP socket for HTTP, HTTPS, TLS passthrough and TCP ports, a datagram socket for UDP ports.
 * It then swaps the compiled snapshot in one atomic set, and drains the sockets it removed.
 * Sockets that stay are never rebound, so their connections never notice a swap (a kept socket
 * whose kind changed drains the connections it accepted under the old kind).
 */
public final class ListenerManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerManager.class);
    /** How long {@link #close()} waits for its sockets to finish closing before the loops stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final EventLoops eventLoops;
    private final UpstreamConnectionPool pool;
    private final ProxyConfig config;
    private final Telemetry telemetry;
    private final TcpProxy tcpProxy;
    private final TlsProxy tlsProxy;
    private final UdpProxy udpProxy;
    private final AtomicReference<CompiledSnapshot> current = new AtomicReference<>(CompiledSnapshot.empty());
    /** Guarded by this. */
    private final Map<SocketKey, BoundPort> bound = new LinkedHashMap<>();
    /** Ports draining; also touched by drain-timeout tasks on event loops, so not guarded by this. */
    private final Set<BoundPort> draining = ConcurrentHashMap.newKeySet();

    public ListenerManager(EventLoops eventLoops, UpstreamConnectionPool pool, ProxyConfig config) {
        this(eventLoops, pool, config, Telemetry.NONE);
    }

    /** @param telemetry where requests, upstream failures, connections and streams are reported */
    public ListenerManager(EventLoops eventLoops, UpstreamConnectionPool pool, ProxyConfig config, Telemetry telemetry) {
        this.eventLoops = eventLoops;
        this.pool = pool;
        this.config = config;
        this.telemetry = telemetry;
        this.tcpProxy = new TcpProxy(eventLoops.connections(EventLoops.Reads.ON_DEMAND), config, telemetry);
        this.tlsProxy = new TlsProxy(tcpProxy, telemetry.observer());
        this.udpProxy = new UdpProxy(eventLoops.datagramChannelClass(), config, telemetry);
    }

    public CompiledSnapshot current() {
        return current.get();
    }

    /**
     * Serves {@code next}: binds new sockets, swaps, drains removed sockets.
     *
     * @throws UncheckedIOException when a socket cannot be bound; sockets bound by this call are
     *     closed again and the previous snapshot keeps serving
     */
    public synchronized void apply(CompiledSnapshot next) {
        final Map<SocketKey, BoundPort> added = new HashMap<>();
        final Map<SocketKey, BoundPort> revived = new HashMap<>();
        try {
            for (SocketKey key : next.ports().keySet()) {
                if (!bound.containsKey(key)) {
                    final BoundPort stillOpen = drainingUdp(key);
                    if (stillOpen != null) {
                        revived.put(key, stillOpen);
                    } else {
                        added.put(key, bind(key));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (BoundPort port : added.values()) {
                port.forceClose();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io)
                    : new UncheckedIOException(new IOException(e.getMessage(), e));
        }
        for (BoundPort port : revived.values()) {
            draining.remove(port);
            port.revive();
            LOG.info("{} is back: its socket, still draining, serves again", port.key());
        }
        added.putAll(revived);
        final CompiledSnapshot previous = current.getAndSet(next);
        for (Map.Entry<SocketKey, BoundPort> kept : bound.entrySet()) {
            final var before = previous.port(kept.getKey());
            final var after = next.port(kept.getKey());
            if (before != null && after != null && !before.sameProtocol(after)) {
                LOG.info("{} switched from {} to {}: draining its existing connections", kept.getKey(),
                        before.protocolName(), after.protocolName());
                kept.getValue().drainConnections();
            }
        }
        bound.putAll(added);
        for (BoundPort port : new ArrayList<>(bound.values())) {
            if (next.port(port.key()) == null) {
                bound.remove(port.key());
                LOG.info("Draining {} (snapshot {})", port.key(), next.snapshot().version());
                port.startDraining(previous.port(port.key()));
                draining.add(port);
                port.drainDeadline(eventLoops.group().schedule(() -> finishDraining(port),
                        config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        LOG.info("Serving snapshot {} on {} port(s), {} new", next.snapshot().version(), bound.size(), added.size());
    }

    private void finishDraining(BoundPort port) {
        // close() may have force-closed the port already (and the loops may be shutting down).
        if (draining.remove(port)) {
            port.forceClose();
        }
    }

    /** A removed UDP port of that key whose socket is still open while it drains, or null. */
    private BoundPort drainingUdp(SocketKey key) {
        if (key.transport() != Transport.UDP) {
            return null;
        }
        for (BoundPort port : draining) {
            if (port.key().equals(key) && port.serverChannel().isOpen()) {
                return port;
            }
        }
        return null;
    }

    private BoundPort bind(SocketKey key) throws IOException {
        final int port = key.port() == 0 ? 0 : key.port() + config.portOffset();
        final InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(key.address()), port);
        final BoundPort boundPort = new BoundPort(key, current, config.drainTimeout());
        final ChannelFuture future;
        if (key.transport() == Transport.UDP) {
            future = UdpProxy.listenerOptions(new Bootstrap())
                    .group(eventLoops.group())
                    .channel(eventLoops.datagramChannelClass())
                    .handler(udpProxy.listenerHandler(boundPort, key.port(), boundPort.connections()))
                    .bind(address).awaitUninterruptibly();
        } else {
            future = new ServerBootstrap()
                    .group(eventLoops.group())
                    .channel(eventLoops.serverChannelClass())
                    .handler(new AcceptedConnections(boundPort, eventLoops))
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new DownstreamChannelInitializer(boundPort, pool, config, telemetry, tcpProxy,
                            tlsProxy))
                    .bind(address).awaitUninterruptibly();
        }
        if (!future.isSuccess()) {
            final Throwable cause = future.cause();
            throw cause instanceof IOException io ? new IOException("cannot bind " + address + ": " + io.getMessage(), io)
                    : new IOException("cannot bind " + address, cause);
        }
        final Channel channel = future.channel();
        boundPort.serverChannel(channel);
        LOG.info("Listening on {} for {}", channel.localAddress(), key);
        return boundPort;
    }

    /** The address a snapshot socket is bound to (its port includes the offset), or null. */
    public synchronized InetSocketAddress localAddress(SocketKey key) {
        final BoundPort port = bound.get(key);
        return port != null ? port.localAddress() : null;
    }

    /**
     * Drains every TCP port like a removed one: stops accepting, closes idle connections now, lets
     * in-flight requests and open TCP connections go on for at most the drain timeout, then closes
     * what is left. Returns at once when nothing is in flight. UDP sockets close at once: a
     * datagram has nothing in flight to finish.
     */
    @Override
    public synchronized void close() {
        final CompiledSnapshot last = current.getAndSet(CompiledSnapshot.empty());
        final List<Future<?>> closing = new ArrayList<>();
        for (BoundPort port : bound.values()) {
            if (port.udp()) {
                closing.addAll(port.forceClose());
                continue;
            }
            port.startDraining(last.port(port.key()));
            draining.add(port);
        }
        for (BoundPort port : draining) {
            if (port.udp()) {
                closing.addAll(port.forceClose());
                draining.remove(port);
            }
        }
        bound.clear();
        final long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (System.nanoTime() < deadline && draining.stream().anyMatch(p -> !p.connections().isEmpty())) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (BoundPort port : draining) {
            closing.addAll(port.forceClose());
        }
        draining.clear();
        // The loops stop after this: a socket still closing then (io_uring defers a close while a
        // read is pending) would be closed by the loop's teardown, which cannot deregister it any
        // more and loses its read buffer. Waiting here lets every close finish on a running loop.
        final long closeDeadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Future<?> f : closing) {
            if (!f.awaitUninterruptibly(Math.max(0, closeDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }
}
