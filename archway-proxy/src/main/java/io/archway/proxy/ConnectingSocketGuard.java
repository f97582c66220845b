package io.archway.proxy;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every socket the proxy connects to a backend: drops an error fired while the
 * socket is still connecting, because it is not that socket's. Netty's epoll loop dispatches each
 * ready event by file descriptor, so an event for a socket closed earlier in the same batch can
 * reach a new socket that reused its number while it connects; reading it fails with ENOTCONN.
 * Handled further on, that error would close the new connection and fail a request that had done
 * nothing wrong. A real connect failure is never lost: it fails the connect's own future (or the
 * connect timeout does).
 */
@Sharable
public final class ConnectingSocketGuard extends ChannelInboundHandlerAdapter {
    public static final ConnectingSocketGuard INSTANCE = new ConnectingSocketGuard();
    private static final Logger LOG = LoggerFactory.getLogger(ConnectingSocketGuard.class);

    private ConnectingSocketGuard() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel().isOpen() && !ctx.channel().isActive()) {
            LOG.debug("{}: still connecting, ignored {}", ctx.channel(), cause.toString());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
