package io.archway.proxy.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops and channel types: native epoll when available, else NIO.
 *
 * @param serverChannelClass listening TCP sockets
 * @param channelClass accepted and upstream TCP connections
 * @param datagramChannelClass UDP listening sockets and UDP upstream sessions
 */
public record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
                         Class<? extends SocketChannel> channelClass,
                         Class<? extends DatagramChannel> datagramChannelClass) {

    /**
     * @param threads event-loop threads; 0 means one per available core. A proxy's event loops never
     *     block, so more loops than cores only adds context switches (Netty's own default is 2 x cores;
     *     nginx and Envoy also run one worker per core).
     */
    public static EventLoops create(int threads) {
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("archway-io", true),
                factory);
        return epoll
                ? new EventLoops(group, EpollServerSocketChannel.class, EpollSocketChannel.class,
                        EpollDatagramChannel.class)
                : new EventLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);
    }
}
