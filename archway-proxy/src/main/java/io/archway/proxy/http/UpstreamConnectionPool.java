package io.archway.proxy.http;

import io.archway.proxy.ConnectingSocketGuard;
import io.archway.proxy.http.h1.Http1ClientCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 keep-alive connections to upstream endpoints, one pool per event loop. A downstream
 * connection always takes its upstream connections from its own event loop, so both ends of an
 * exchange run on one thread: no locks and no cross-thread hand-off on the hot path.
 */
public final class UpstreamConnectionPool {
    static final AttributeKey<UpstreamAddress> ADDRESS = AttributeKey.valueOf("archway.upstream.address");
    private static final int MAX_IDLE_PER_ENDPOINT = 64;

    private final long idleMillis;
    private final Bootstrap bootstrap;
    /** Built once for every loop of the group, then only read: safe to share without locks. */
    private final Map<EventExecutor, LoopPool> pools = new IdentityHashMap<>();
    private final Map<EventExecutor, H2cUpstreamConnections> h2c = new IdentityHashMap<>();

    /** @param connections how to open a connection on {@code group}'s transport ({@code EventLoops.connections}) */
    public UpstreamConnectionPool(EventLoopGroup group, Bootstrap connections, Duration connectTimeout,
                                  Duration idleTimeout) {
        this.idleMillis = idleTimeout.toMillis();
        this.bootstrap = connections
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(initializer(null, 0));
        for (EventExecutor executor : group) {
            pools.put(executor, new LoopPool());
            h2c.put(executor, new H2cUpstreamConnections(bootstrap, this, idleMillis));
        }
    }

    /**
     * Hands {@code exchange} an idle connection to {@code address} on {@code loop}, or connects a
     * new one. Must run on {@code loop}.
     */
    void acquire(EventLoop loop, UpstreamAddress address, boolean h2cBackend, UpstreamListener exchange) {
        if (h2cBackend) {
            h2c.get(loop).openStream(loop, address, exchange);
            return;
        }
        final LoopPool pool = pools.get(loop);
        final Channel idle = pool != null ? pool.poll(address) : null;
        if (idle != null) {
            exchange.onUpstreamConnected(idle, true);
            return;
        }
        connect(loop, address, exchange);
    }

    /** An HTTP/1.1 connection's pipeline; over TLS when {@code tls} is set (to a backend on {@code port}). */
    private ChannelInitializer<SocketChannel> initializer(UpstreamTls tls, int port) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("connecting", ConnectingSocketGuard.INSTANCE);
                if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), port));
                }
                ch.pipeline().addLast("idle", new IdleTimeout(idleMillis));
                new Http1ClientCodec(HttpCodecConfig.client()).addLast(ch.pipeline());
                ch.pipeline().addLast("upstream", new UpstreamHandler(UpstreamConnectionPool.this));
            }
        };
    }

    /**
     * Connects a fresh connection, bypassing the idle ones (used to retry after a stale reuse). A
     * TLS connection is handed over once its handshake verified the backend: a backend that fails
     * verification never sees the request, and the exchange answers a connect failure (502).
     */
    void connect(EventLoop loop, UpstreamAddress address, UpstreamListener exchange) {
        final UpstreamTls tls = address.tls();
        if (tls != null && tls.failure() != null) {
            exchange.onUpstreamConnectFailed(tls.failure());
            return;
        }
        final Bootstrap b = bootstrap.clone(loop);
        if (tls != null) {
            b.handler(initializer(tls, address.port()));
        }
        final ChannelFuture future = b.connect(address.socketAddress());
        future.channel().attr(ADDRESS).set(address);
        future.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                exchange.onUpstreamConnectFailed(f.cause());
            } else if (tls == null) {
                exchange.onUpstreamConnected(f.channel(), false);
            } else {
                whenVerified(f.channel(), exchange, () -> exchange.onUpstreamConnected(f.channel(), false));
            }
        });
    }

    /**
     * Closes every idle connection, HTTP/1.1 and HTTP/2, on its own loop (shutdown: connections in
     * use close with their exchange); returns once each has closed or {@code timeout} passed.
     */
    public void close(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final List<Future<List<ChannelFuture>>> asked = new ArrayList<>();
        for (EventExecutor loop : pools.keySet()) {
            asked.add(loop.submit(() -> {
                final List<ChannelFuture> closing = pools.get(loop).closeAll();
                closing.addAll(h2c.get(loop).closeAll());
                return closing;
            }));
        }
        for (Future<List<ChannelFuture>> answer : asked) {
            if (!answer.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    || !answer.isSuccess()) {
                continue; // the loop is gone or stuck: its connections close with it
            }
            for (ChannelFuture f : answer.getNow()) {
                f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Runs {@code then} once the channel's TLS handshake succeeded; else fails the exchange's connect. */
    static void whenVerified(Channel channel, UpstreamListener exchange, Runnable then) {
        channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                then.run();
            } else {
                channel.close();
                exchange.onUpstreamConnectFailed(h.cause());
            }
        });
    }

    /** Returns a connection whose exchange finished cleanly; closes it when the pool is full. */
    void release(Channel channel) {
        if (channel instanceof Http2StreamChannel) {
            // A stream serves one exchange; its connection stays open for the next stream.
            channel.close();
            return;
        }
        final LoopPool pool = pools.get(channel.eventLoop());
        final UpstreamAddress address = channel.attr(ADDRESS).get();
        if (pool == null || address == null || !channel.isActive() || !pool.offer(address, channel)) {
            channel.close();
        }
    }

    /** Forgets an idle connection that closed or timed out. */
    void remove(Channel channel) {
        final LoopPool pool = pools.get(channel.eventLoop());
        final UpstreamAddress address = channel.attr(ADDRESS).get();
        if (pool != null && address != null) {
            pool.remove(address, channel);
        }
    }

    /** Idle connections of one event loop; only ever touched from that loop. */
    private static final class LoopPool {
        private final Map<UpstreamAddress, ArrayDeque<Channel>> idle = new HashMap<>();

        Channel poll(UpstreamAddress address) {
            final ArrayDeque<Channel> queue = idle.get(address);
            if (queue == null) {
                return null;
            }
            Channel ch;
            // Most recently used first: it is the least likely to have been closed by the server.
            while ((ch = queue.pollLast()) != null) {
                if (ch.isActive()) {
                    break;
                }
            }
            if (queue.isEmpty()) {
                idle.remove(address); // endpoints come and go with snapshots; keep the map small
            }
            return ch;
        }

        boolean offer(UpstreamAddress address, Channel channel) {
            final ArrayDeque<Channel> queue = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
            if (queue.size() >= MAX_IDLE_PER_ENDPOINT) {
                return false;
            }
            queue.addLast(channel);
            return true;
        }

        List<ChannelFuture> closeAll() {
            final List<Channel> channels = new ArrayList<>();
            idle.values().forEach(channels::addAll);
            idle.clear(); // before closing: a close may call remove()
            final List<ChannelFuture> closing = new ArrayList<>(channels.size());
            for (Channel ch : channels) {
                closing.add(ch.close());
            }
            return closing;
        }

        void remove(UpstreamAddress address, Channel channel) {
            final ArrayDeque<Channel> queue = idle.get(address);
            if (queue != null && queue.remove(channel) && queue.isEmpty()) {
                idle.remove(address);
            }
        }
    }
}
