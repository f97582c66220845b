package io.archway.proxy.testing;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.SocketAddress;
import java.nio.channels.NotYetConnectedException;

/**
 * A client socket channel that, as it starts connecting, hears an error that is not its own: what
 * Netty's epoll loop delivers when an event for a socket closed earlier in the same batch reaches
 * a new socket that reused its file descriptor (reading it fails with ENOTCONN). The connect
 * itself goes on and succeeds.
 */
public final class StrayErrorWhileConnecting extends NioSocketChannel {
    @Override
    protected boolean doConnect(SocketAddress remote, SocketAddress local) throws Exception {
        final boolean done = super.doConnect(remote, local);
        pipeline().fireExceptionCaught(new NotYetConnectedException());
        return done;
    }
}
