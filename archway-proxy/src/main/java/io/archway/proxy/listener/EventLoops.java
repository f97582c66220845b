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
 * The event loops and channel types: io_uring when the kernel offers it, else native epoll, else
 * NIO; the system property {@value #TRANSPORT_PROPERTY} ({@code io_uring}, {@code epoll} or
 * {@code nio}) asks for one, for an A/B run or where a transport misbehaves. io_uring is the
 * default because it served 1.07-1.11x epoll's HTTP/1.1 requests per proxy core in two quiet-box
 * runs (docs/PERFORMANCE.md, sessions 5 and 6). Containers often cannot use it (Docker's and
 * containerd's default seccomp profiles refuse {@code io_uring_setup}), so its absence is an
 * ordinary condition, logged once at info. The TCP relay's half-close workaround
 * ({@code EpollInterest}) is epoll's; io_uring does not need it.
 *
 * @param serverChannelClass listening TCP sockets
 * @param channelClass accepted and upstream TCP connections
 * @param datagramChannelClass UDP listening sockets and UDP upstream sessions
 */
public record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
                         Class<? extends SocketChannel> channelClass,
                         Class<? extends DatagramChannel> datagramChannelClass) {
    /** Selects the transport: {@code io_uring} (the default), {@code epoll} or {@code nio}. */
    public static final String TRANSPORT_PROPERTY = "archway.transport";
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /**
     * @param threads event-loop threads; 0 means one per available core. A proxy's event loops never
     *     block, so more loops than cores only adds context switches (Netty's own default is 2 x cores;
     *     nginx and Envoy also run one worker per core).
     */
    public static EventLoops create(int threads) {
        final int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        final String transport = System.getProperty(TRANSPORT_PROPERTY, "io_uring").toLowerCase(Locale.ROOT);
        if (!transport.equals("io_uring") && !transport.equals("epoll") && !transport.equals("nio")) {
            throw new IllegalArgumentException("-D" + TRANSPORT_PROPERTY + " must be io_uring, epoll or nio, not '"
                    + System.getProperty(TRANSPORT_PROPERTY) + "'");
        }
        if (transport.equals("io_uring")) {
            if (IoUring.isAvailable()) {
                return new EventLoops(group(loops, IoUringIoHandler.newFactory()), IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class, IoUringDatagramChannel.class);
            }
            LOG.info("io_uring is not available ({}): using {}", IoUring.unavailabilityCause().toString(),
                    Epoll.isAvailable() ? "epoll" : "NIO");
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
