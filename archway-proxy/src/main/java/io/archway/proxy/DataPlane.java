package io.archway.proxy;

import io.archway.proxy.http.AccessLog;
import io.archway.proxy.listener.CompiledSnapshot;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.Transport;
import io.archway.proxy.http.Telemetry;
import io.archway.proxy.http.UpstreamConnectionPool;
import io.archway.proxy.listener.ListenerManager;
import io.archway.proxy.listener.EventLoops;
import io.archway.snapshot.RoutingSnapshot;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link RoutingSnapshot}. {@link #apply} compiles the snapshot on the calling thread
 * (never an event loop), binds sockets for new ports, swaps the routing state atomically
 * (in-flight requests finish on the snapshot they started with), and drains and closes ports that
 * are gone. Thread-safe; apply is called from the rebuild loop only.
 *
 * <p>Starting points: {@link io.archway.proxy.listener.ListenerManager} (sockets, swap, drain),
 * {@link io.archway.proxy.http.HttpProxyHandler} (per request), {@link io.archway.proxy.http.RouteIndex}
 * (dispatch), {@link io.archway.proxy.tls.SniCertificateMapping} (certificates),
 * {@link io.archway.proxy.tcp.TcpProxy} (TCP listeners), {@link io.archway.proxy.tls.TlsProxy} (TLS listeners,
 * Passthrough and Terminate), {@link io.archway.proxy.udp.UdpProxy}
 * (UDP listeners), {@link io.archway.proxy.balance.WeightedChoice} (the weighted backend pick).
 *
 * <p>Observability: traffic is reported to the {@link TrafficObserver} given at construction
 * (metrics live outside the proxy), and to the JSON access log when {@link ProxyConfig#accessLog()}
 * names one.
 */
public final class DataPlane implements AutoCloseable {
    private final ProxyConfig config;
    private final EventLoops eventLoops;
    private final ListenerManager listeners;
    private final UpstreamConnectionPool pool;
    private final AccessLog accessLog;
    private volatile boolean closed;

    /** A data plane that reports to no observer. */
    public DataPlane(ProxyConfig config) {
        this(config, TrafficObserver.NOOP);
    }

    /**
     * @param observer told about every finished request, upstream failure, connection and stream
     * @throws java.io.UncheckedIOException when the access log file cannot be opened
     */
    public DataPlane(ProxyConfig config, TrafficObserver observer) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(observer, "observer");
        this.accessLog = config.accessLog() != null ? AccessLog.open(config.accessLog()) : null;
        this.eventLoops = EventLoops.create(config.ioThreads());
        this.pool = new UpstreamConnectionPool(eventLoops.group(), eventLoops.connections(EventLoops.Reads.AUTO_READ),
                config.connectTimeout(), config.idleTimeout());
        this.listeners = new ListenerManager(eventLoops, pool, config, new Telemetry(observer, accessLog));
    }

    /**
     * Serves {@code snapshot} from now on. Blocks until new ports are bound.
     *
     * @throws java.io.UncheckedIOException when a port cannot be bound; the previous snapshot keeps
     *     serving unchanged
     */
    public void apply(RoutingSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (closed) {
            throw new IllegalStateException("data plane is closed");
        }
        final CompiledSnapshot compiled = CompiledSnapshot.compile(snapshot, listeners.current());
        listeners.apply(compiled);
    }

    /** The snapshot served now. */
    public RoutingSnapshot current() {
        return listeners.current().snapshot();
    }

    /**
     * The local address serving a snapshot socket, e.g. to learn the port the OS picked for a
     * snapshot port of 0; null when that socket is not served.
     *
     * @param address the {@link io.archway.snapshot.PortBinding#address()}
     * @param specPort the {@link io.archway.snapshot.PortBinding#port()} (without offset)
     */
    public InetSocketAddress localAddress(String address, int specPort) {
        return localAddress(address, specPort, Transport.TCP);
    }

    /** As {@link #localAddress(String, int)}, for the TCP or the UDP socket of that port number. */
    public InetSocketAddress localAddress(String address, int specPort, Transport transport) {
        return listeners.localAddress(new SocketKey(address, specPort, transport));
    }

    public ProxyConfig config() {
        return config;
    }

    /** Access-log lines dropped because the writer fell behind (0 without an access log). */
    public long accessLogDropped() {
        return accessLog != null ? accessLog.dropped() : 0;
    }

    /**
     * Liveness: true when a task scheduled on every event loop ran within {@code timeout}. A loop
     * stuck in a handler (a blocking call, an endless loop) makes it false.
     */
    public boolean eventLoopsAnswer(Duration timeout) {
        if (closed) {
            return false;
        }
        final List<Future<?>> answers = new ArrayList<>();
        for (EventExecutor loop : eventLoops.group()) {
            answers.add(loop.submit(() -> { }));
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> answer : answers) {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || !answer.awaitUninterruptibly(left, TimeUnit.NANOSECONDS) || !answer.isSuccess()) {
                return false;
            }
        }
        return true;
    }

    /** The event loops (tests block one to see liveness fail). */
    EventLoops eventLoops() {
        return eventLoops;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listeners.close();
        // Sockets close on running loops (see ListenerManager.close), then the loops stop.
        pool.close(Duration.ofSeconds(2));
        eventLoops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (accessLog != null) {
            accessLog.close();
        }
    }
}
