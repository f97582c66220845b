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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops and channel types: native epoll when available, else NIO; the system property
 * {@value #TRANSPORT_PROPERTY} ({@code epoll}, {@code io_uring} or {@code nio}) picks one for an A/B
 * run (docs/PERFORMANCE.md). io_uring is not the default: it measured no better than epoll, and the
 * TCP relay's half-close workaround ({@code EpollInterest}) is epoll's.
 *
 * @param serverChannelClass listening TCP sockets
 * @param channelClass accepted and upstream TCP connections
 * @param datagramChannelClass UDP listening sockets and UDP upstream sessions
 */
public record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
                         Class<? extends SocketChannel> channelClass,
                         Class<? extends DatagramChannel> datagramChannelClass) {
    /** Selects the transport: {@code epoll} (the default), {@code io_uring} or {@code nio}. */
    public static final String TRANSPORT_PROPERTY = "archway.transport";
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /**
     * @param threads event-loop threads; 0 means one per available core. A proxy's event loops never
     *     block, so more loops than cores only adds context switches (Netty's own default is 2 x cores;
     *     nginx and Envoy also run one worker per core).
     */
    public static EventLoops create(int threads) {
        final int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        final String transport = System.getProperty(TRANSPORT_PROPERTY, "epoll").toLowerCase(Locale.ROOT);
        if (transport.equals("io_uring")) {
            if (IoUring.isAvailable()) {
                return new EventLoops(group(loops, IoUringIoHandler.newFactory()), IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class, IoUringDatagramChannel.class);
            }
            LOG.warn("io_uring is not available ({}): using epoll or NIO", IoUring.unavailabilityCause().toString());
        }
        if (!transport.equals("nio") && Epoll.isAvailable()) {
            return new EventLoops(group(loops, EpollIoHandler.newFactory()), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        return new EventLoops(group(loops, NioIoHandler.newFactory()), NioServerSocketChannel.class,
                NioSocketChannel.class, NioDatagramChannel.class);
    }

    private static EventLoopGroup group(int loops, IoHandlerFactory factory) {
        return new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("archway-io", true), factory);
    }
}
