package io.archway.proxy.udp;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.http.Telemetry;
import io.archway.proxy.balance.L4Targets;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a listening datagram socket: its sessions by client address and port. A
 * datagram from a new client opens a session (route read then, backend picked by weight, endpoint
 * round-robin); one from a known client goes to its session's backend, whatever the snapshot says
 * now. At {@code maxSessions} the least recently active session is evicted for the new one. Only
 * ever touched on the socket's event loop.
 */
final class UdpSessionTable extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpSessionTable.class);

    private final UdpPortState port;
    private final int listenerPort;
    private final ChannelGroup group;
    private final Bootstrap bootstrap;
    private final long idleMillis;
    private final int maxSessions;
    private final TrafficObserver observer;
    private final Telemetry telemetry;
    /** Access order: the first entry is the session whose client spoke least recently. */
    private final Map<InetSocketAddress, UdpSession> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private Channel listener;

    UdpSessionTable(UdpPortState port, int listenerPort, ChannelGroup group, Bootstrap bootstrap, long idleMillis,
                    int maxSessions, Telemetry telemetry) {
        this.port = port;
        this.listenerPort = listenerPort;
        this.group = group;
        this.bootstrap = bootstrap;
        this.idleMillis = idleMillis;
        this.maxSessions = maxSessions;
        this.observer = telemetry.observer();
        this.telemetry = telemetry;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listener = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                UdpSession session = sessions.get(packet.sender());
                if (session == null) {
                    session = open(packet.sender());
                }
                if (session == null || !session.toBackend(packet.content())) {
                    dropped();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private UdpSession open(InetSocketAddress client) {
        if (port.draining()) {
            return null;
        }
        final L4Targets targets = port.targets();
        final L4Targets.Backend backend = targets != null ? targets.pick() : null;
        final InetSocketAddress endpoint = backend != null ? backend.nextEndpoint() : null;
        if (endpoint == null) {
            return null;
        }
        if (sessions.size() >= maxSessions) {
            final Iterator<UdpSession> oldest = sessions.values().iterator();
            final UdpSession evicted = oldest.next();
            oldest.remove();
            LOG.debug("UDP port {}: {} sessions, evicting {}", listenerPort, maxSessions, evicted);
            UdpSession.safe(() -> observer.udpSessionEvicted(evicted.route()));
            evicted.close();
        }
        final UdpSession session = new UdpSession(this, client, targets.origin(), backend.origin(), observer,
                telemetry, listenerPort, endpoint);
        sessions.put(client, session);
        session.connect(bootstrap.clone(listener.eventLoop()), endpoint, idleMillis, group);
        return session;
    }

    Channel listener() {
        return listener;
    }

    /** A session closed (idle, evicted, error, port closing): forget it. */
    void remove(UdpSession session) {
        sessions.remove(session.client(), session);
    }

    void dropped() {
        UdpSession.safe(() -> observer.udpDatagramDropped(listenerPort));
    }

    /** The listening socket closed (drain timeout, shutdown): every session ends. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (UdpSession session : new ArrayList<>(sessions.values())) {
            session.close();
        }
        sessions.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket survives errors (e.g. ICMP unreachable); keep serving.
        LOG.debug("UDP port {}: {}", listenerPort, cause.toString());
    }
}
