package io.archway.proxy.udp;

import io.archway.proxy.ProxyConfig;
import io.archway.proxy.http.Telemetry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DatagramChannel;

/**
 * Forwards the datagrams of UDP listeners, one per data plane. Each listening socket gets a
 * {@link #listenerHandler} holding its session table; sessions run on the listening socket's event
 * loop, so the table needs no lock.
 */
public final class UdpProxy {
    /** Large enough for any UDP payload (65,507 bytes over IPv4): nothing is truncated. */
    static final int MAX_DATAGRAM = 65_536;

    private final Bootstrap upstream;
    private final long idleMillis;
    private final int maxSessions;
    private final Telemetry telemetry;

    /** @param telemetry its observer hears of every session; its access log gets a line per session */
    public UdpProxy(Class<? extends DatagramChannel> channelClass, ProxyConfig config, Telemetry telemetry) {
        this.upstream = new Bootstrap()
                .channel(channelClass)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        this.idleMillis = config.udpSessionIdleTimeout().toMillis();
        this.maxSessions = config.udpMaxSessions();
        this.telemetry = telemetry;
    }

    /** Options for a listening datagram socket. */
    public static Bootstrap listenerOptions(Bootstrap bootstrap) {
        return bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.SO_REUSEADDR, true);
    }

    /**
     * The handler of one listening datagram socket.
     *
     * @param port what the socket serves now
     * @param listenerPort the snapshot's port, for telemetry
     * @param sessions where each session's upstream channel is added (closed when the port closes)
     */
    public ChannelHandler listenerHandler(UdpPortState port, int listenerPort, ChannelGroup sessions) {
        return new UdpSessionTable(port, listenerPort, sessions, upstream, idleMillis, maxSessions, telemetry);
    }
}
