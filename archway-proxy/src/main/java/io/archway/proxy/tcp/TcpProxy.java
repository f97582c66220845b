package io.archway.proxy.tcp;

import io.archway.proxy.ProxyConfig;
import io.archway.proxy.TrafficObserver;
import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.Telemetry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Forwards the connections of TCP listeners, one per data plane. {@link #serve} turns an accepted
 * connection into a {@link TcpRelay}: it reads the port's route once, at accept (a snapshot swap
 * never moves an open connection; new connections use the new route), picks a backend by weight
 * and an endpoint round-robin, connects on the connection's own event loop (so both ends run on
 * one thread), then relays bytes both ways.
 *
 * <p>Backpressure: auto-read is off on both sides; a side reads its next chunk only when the
 * previous one was written to the other side, so the proxy holds at most one read buffer (at most
 * 64 KiB) per direction per connection, however slow either peer reads.
 */
public final class TcpProxy {
    static final String RELAY = "tcp-relay";

    private final Bootstrap bootstrap;
    private final long idleMillis;
    private final TrafficObserver observer;
    private final Telemetry telemetry;

    /**
     * @param connections how to open a connection on the listeners' transport ({@code EventLoops.connections})
     * @param telemetry its observer hears of every connection; its access log gets a line per connection
     */
    public TcpProxy(Bootstrap connections, ProxyConfig config, Telemetry telemetry) {
        this.bootstrap = connections
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false);
        this.idleMillis = config.tcpIdleTimeout().toMillis();
        this.observer = telemetry.observer();
        this.telemetry = telemetry;
    }

    /**
     * Forwards {@code downstream}, an accepted connection not yet active, to a backend of
     * {@code targets}; a null route, a rule with only zero weights, or a picked backend that is
     * invalid or has no endpoint closes it at once. Call from its channel initializer.
     *
     * @param listenerPort the snapshot's spec port, for the access log
     * @param sni the server name of a TLS passthrough connection (logged as transport tls); null for TCP
     */
    public void serve(SocketChannel downstream, L4Targets targets, int listenerPort, String sni) {
        downstream.config().setAutoRead(false);
        downstream.config().setAllowHalfClosure(true);
        final TcpRelay relay = new TcpRelay(downstream, targets, bootstrap, observer, telemetry, listenerPort, sni);
        // Idle = no byte read from or written to the client; every relayed byte crosses this channel.
        downstream.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                .addLast(RELAY, relay.clientSide());
        safe(() -> observer.tcpConnectionOpened(targets != null ? targets.origin() : null));
    }

    /**
     * Forwards an accepted connection that is already active, as {@link #serve} does, behind
     * {@code ctx}: for a listener that read a preface first (TLS passthrough reads the
     * ClientHello to choose {@code targets}). The relay is added after {@code ctx} and started
     * (the channel's activation, held back from it so far, is fired to it from {@code ctx}). What
     * {@code ctx} holds of the preface it passes on when the relay first reads the client, so
     * nothing overtakes it.
     *
     * @param ctx the last handler of the connection's pipeline, on its event loop
     */
    public void serveActive(ChannelHandlerContext ctx, L4Targets targets, int listenerPort, String sni) {
        serve((SocketChannel) ctx.channel(), targets, listenerPort, sni);
        ctx.fireChannelActive();
    }

    /** Whether {@code ch} is a downstream connection relayed by this package. */
    public static boolean relays(Channel ch) {
        return ch.pipeline().get(RELAY) != null;
    }

    static void safe(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException ignored) {
            // an observer must not break the data plane
        }
    }
}
