package io.archway.proxy.listener;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
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
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
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
 * <p>On io_uring, HTTP connections receive into a ring of buffers the kernel picks from (a provided
 * buffer ring, one per event loop, with multishot receive where the kernel has it, Linux 6.0): a
 * receive stays armed across completions instead of being submitted again, and no buffer is
 * allocated for it before data arrives. With 4 KiB responses it made 35 % fewer system calls per
 * HTTP/1.1 request and used 5 % less CPU (docs/PERFORMANCE.md, "Receive buffer ring, session 13").
 * Only connections whose reads follow AUTO_READ may use it ({@link Reads}). The system property
 * {@value #BUFFER_RING_PROPERTY}{@code =false} turns it off, for an A/B run.
 *
 * @param serverChannelClass listening TCP sockets
 * @param channelClass accepted and upstream TCP connections
 * @param datagramChannelClass UDP listening sockets and UDP upstream sessions
 * @param bufferGroup the io_uring buffer ring HTTP connections receive into, negative for none
 */
public record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
                         Class<? extends SocketChannel> channelClass,
                         Class<? extends DatagramChannel> datagramChannelClass, short bufferGroup) {
    /** Selects the transport: {@code io_uring} (the default), {@code epoll} or {@code nio}. */
    public static final String TRANSPORT_PROPERTY = "archway.transport";
    /** {@code false} turns io_uring's receive buffer ring off. */
    public static final String BUFFER_RING_PROPERTY = "archway.uring.bufferRing";
    private static final short NO_BUFFER_RING = -1;
    private static final short BUFFER_GROUP = 0;
    /**
     * Buffers the ring can hold: receives completed in one batch of the loop before it refills the
     * ring. It starts with {@link #RING_BATCH} and grows by as many when the kernel finds it empty.
     */
    private static final short RING_SIZE = 512;
    private static final int RING_BATCH = 64;
    /**
     * Each receive takes a whole buffer of the ring, 8 KiB: a typical request or response head with a
     * few KiB of body fits, and the ring's first batch of 64 is 512 KiB (4 MiB at the 64 KiB that
     * Netty's adaptive sizes reach).
     * Not incremental consumption, which Netty's builder picks where the kernel has it (6.12+): there
     * a receive fills what is left of the buffer the previous ones began, so a message that crosses
     * the buffer's end arrives in two receives. On this box that split 36 % of 4 KiB responses and
     * 14 % of 2-byte ones (two decoding passes, and head, body and end written separately instead of
     * one whole response); whole 8 KiB buffers split none, and larger ones (16-64 KiB, Netty's
     * adaptive sizes) cost more kernel time per 4 KiB response (docs/PERFORMANCE.md, "Buffer pool
     * and whole responses, session 14").
     */
    private static final int RING_BUFFER_SIZE = 8192;
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
                final boolean ring = IoUring.isRegisterBufferRingSupported()
                        && !"false".equalsIgnoreCase(System.getProperty(BUFFER_RING_PROPERTY));
                final IoUringIoHandlerConfig config = new IoUringIoHandlerConfig();
                if (ring) {
                    config.setBufferRingConfig(new IoUringBufferRingConfig.Builder()
                            .bufferGroupId(BUFFER_GROUP)
                            .bufferRingSize(RING_SIZE)
                            .batchSize(RING_BATCH)
                            .allocator(new IoUringFixedBufferRingAllocator(RING_BUFFER_SIZE))
                            .incremental(false)
                            .build());
                }
                return new EventLoops(group(loops, IoUringIoHandler.newFactory(config)),
                        IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class,
                        ring ? BUFFER_GROUP : NO_BUFFER_RING);
            }
            LOG.info("io_uring is not available ({}): using {}", IoUring.unavailabilityCause().toString(),
                    Epoll.isAvailable() ? "epoll" : "NIO");
        }
        if (!transport.equals("nio") && Epoll.isAvailable()) {
            return new EventLoops(group(loops, EpollIoHandler.newFactory()), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class, NO_BUFFER_RING);
        }
        return new EventLoops(group(loops, NioIoHandler.newFactory()), NioServerSocketChannel.class,
                NioSocketChannel.class, NioDatagramChannel.class, NO_BUFFER_RING);
    }

    /**
     * How a connection asks for its reads, which decides whether it may receive into the buffer
     * ring. A multishot receive goes on until it is cancelled, and Netty cancels it only when
     * AUTO_READ is turned off: a connection that keeps AUTO_READ off and calls {@code read()} per
     * chunk would go on receiving without asking, and lose its backpressure.
     */
    public enum Reads {
        /** Reads follow AUTO_READ (HTTP: on, and off while a peer cannot take more). */
        AUTO_READ,
        /** AUTO_READ stays off and each read is asked for (the TCP relay, a TLS ClientHello). */
        ON_DEMAND
    }

    /** A bootstrap for TCP connections to backends: these loops' channel type, receiving as {@code reads} allows. */
    public Bootstrap connections(Reads reads) {
        final Bootstrap bootstrap = new Bootstrap().channel(channelClass);
        return ringFor(reads) ? bootstrap.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, bufferGroup) : bootstrap;
    }

    /**
     * Has an accepted connection, not yet registered with its event loop (a listening channel's
     * handler sees it before Netty's acceptor registers it), receive as {@code reads} allows.
     */
    public void accepted(Channel connection, Reads reads) {
        if (ringFor(reads)) {
            connection.config().setOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, bufferGroup);
        }
    }

    private boolean ringFor(Reads reads) {
        return bufferGroup >= 0 && reads == Reads.AUTO_READ;
    }

    private static EventLoopGroup group(int loops, IoHandlerFactory factory) {
        return new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("archway-io", true), factory);
    }
}
