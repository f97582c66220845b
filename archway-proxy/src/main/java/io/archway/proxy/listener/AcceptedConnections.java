package io.archway.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * The handler of a listening socket, which sees each accepted connection before Netty's acceptor
 * registers it with an event loop: it takes the port's kind as of accept time, once, for the
 * connection's {@link DownstreamChannelInitializer} and for how the connection receives, which
 * must be set before registration ({@link EventLoops#accepted}): HTTP connections read as
 * AUTO_READ says, TCP and TLS connections are relayed with reads on demand.
 */
@ChannelHandler.Sharable
final class AcceptedConnections extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<ServedPort> SERVED = AttributeKey.valueOf(AcceptedConnections.class, "served");

    private final BoundPort port;
    private final EventLoops eventLoops;

    AcceptedConnections(BoundPort port, EventLoops eventLoops) {
        this.port = port;
        this.eventLoops = eventLoops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final Channel connection = (Channel) msg;
        final ServedPort served = port.served();
        connection.attr(SERVED).set(served);
        eventLoops.accepted(connection,
                served instanceof ServedPort.Http ? EventLoops.Reads.AUTO_READ : EventLoops.Reads.ON_DEMAND);
        ctx.fireChannelRead(msg);
    }

    /** What {@code connection} was accepted to serve (taken: the attribute is cleared). */
    static ServedPort served(Channel connection) {
        return Objects.requireNonNull(connection.attr(SERVED).getAndSet(null),
                "a connection accepted without AcceptedConnections");
    }
}
