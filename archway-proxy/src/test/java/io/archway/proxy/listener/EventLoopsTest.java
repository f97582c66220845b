package io.archway.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archway.proxy.testing.TransportProperty;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The transport switch (-Darchway.transport) and an echo over loopback on each transport. */
class EventLoopsTest {
    private static EventLoops with(String transport) {
        return TransportProperty.with(transport, () -> EventLoops.create(1));
    }

    @Test
    void ioUringByDefaultWhereAvailableElseEpoll() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        echo(with(null), IoUring.isAvailable() ? IoUringSocketChannel.class : EpollSocketChannel.class);
    }

    @Test
    void ioUringWhenAskedAndAvailable() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here");
        echo(with("io_uring"), IoUringSocketChannel.class);
    }

    @Test
    void epollAndNioWhenAsked() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        echo(with("epoll"), EpollSocketChannel.class);
        echo(with("NIO"), NioSocketChannel.class);
    }

    @Test
    void ioUringConnectionsReceiveIntoTheBufferRingUnlessTurnedOff() throws Exception {
        assumeTrue(IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported(),
                "io_uring with buffer rings is not available here");
        final EventLoops ring = with("io_uring");
        assertThat(ring.bufferGroup()).isNotNegative();
        echo(ring, IoUringSocketChannel.class);
        final String before = System.getProperty(EventLoops.BUFFER_RING_PROPERTY);
        System.setProperty(EventLoops.BUFFER_RING_PROPERTY, "false");
        try {
            final EventLoops plain = with("io_uring");
            assertThat(plain.bufferGroup()).isNegative();
            echo(plain, IoUringSocketChannel.class);
        } finally {
            if (before == null) {
                System.clearProperty(EventLoops.BUFFER_RING_PROPERTY);
            } else {
                System.setProperty(EventLoops.BUFFER_RING_PROPERTY, before);
            }
        }
    }

    /**
     * A receive takes a whole buffer of the ring: a reply that fits one arrives in one receive,
     * however many receives came before it. With incremental consumption (Netty's default on Linux
     * 6.12+) replies that cross the end of a partly used buffer arrive in two.
     */
    @Test
    void onTheBufferRingAReplyThatFitsABufferArrivesInOneReceive() throws Exception {
        assumeTrue(IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported(),
                "io_uring with buffer rings is not available here");
        final EventLoops loops = with("io_uring");
        final int exchanges = 300;
        final int replySize = 4337; // a 4 KiB body with nginx's head, as the benchmark's backend sends it
        try {
            final Channel server = acceptingOn(loops)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((ByteBuf) msg).release();
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[replySize]));
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            final int[] receives = {0};
            final int[] bytes = {0};
            final CompletableFuture<Void> done = new CompletableFuture<>();
            final Channel client = loops.connections(EventLoops.Reads.AUTO_READ).group(loops.group())
                    .handler(new ChannelInboundHandlerAdapter() {
                        private int replies;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            receives[0]++;
                            bytes[0] += ((ByteBuf) msg).readableBytes();
                            ((ByteBuf) msg).release();
                            if (bytes[0] == (replies + 1) * replySize && ++replies < exchanges) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[40]));
                            } else if (replies == exchanges) {
                                done.complete(null);
                            }
                        }
                    }).connect((InetSocketAddress) server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[40]));
            done.get(20, TimeUnit.SECONDS);
            assertThat(bytes[0]).isEqualTo(exchanges * replySize);
            assertThat(receives[0]).isEqualTo(exchanges);
            client.close().sync();
            server.close().sync();
        } finally {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void anUnknownTransportIsAClearError() {
        assertThatThrownBy(() -> with("uring")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Darchway.transport must be io_uring, epoll or nio, not 'uring'");
    }

    /** A server bootstrap on the loops whose accepted connections receive as the loops say (AUTO_READ). */
    private static ServerBootstrap acceptingOn(EventLoops loops) {
        return new ServerBootstrap().group(loops.group()).channel(loops.serverChannelClass())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        loops.accepted((Channel) msg, EventLoops.Reads.AUTO_READ);
                        ctx.fireChannelRead(msg);
                    }
                });
    }

    /**
     * Echoes a ping, then 4 MiB (many receives, more than the buffer ring's first batch of buffers
     * holds), between a connection the loops' bootstrap made and one the loops were given when it
     * was accepted, both reading as AUTO_READ says; both receive as the loops say (a buffer group id
     * on io_uring's channels).
     */
    private static void echo(EventLoops loops, Class<?> expected) throws Exception {
        final byte[] payload = new byte[4 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 251);
        }
        try {
            assertThat(loops.channelClass()).isEqualTo(expected);
            final CompletableFuture<Channel> accepted = new CompletableFuture<>();
            final Channel server = acceptingOn(loops)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.complete(ch);
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            final CompletableFuture<String> echoed = new CompletableFuture<>();
            final ByteBuf received = Unpooled.buffer(payload.length + 4);
            final CompletableFuture<Void> all = new CompletableFuture<>();
            final Channel client = loops.connections(EventLoops.Reads.AUTO_READ).group(loops.group())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received.writeBytes((ByteBuf) msg);
                            ((ByteBuf) msg).release();
                            if (!echoed.isDone() && received.readableBytes() >= 4) {
                                echoed.complete(received.readCharSequence(4, StandardCharsets.US_ASCII).toString());
                            }
                            if (received.readableBytes() == payload.length) {
                                all.complete(null);
                            }
                        }
                    }).connect((InetSocketAddress) server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            client.writeAndFlush(Unpooled.wrappedBuffer(payload));
            all.get(20, TimeUnit.SECONDS);
            final byte[] back = new byte[payload.length];
            received.readBytes(back);
            assertThat(back).isEqualTo(payload);
            for (Channel end : new Channel[] {client, accepted.get(10, TimeUnit.SECONDS)}) {
                if (end instanceof IoUringSocketChannel) {
                    assertThat(end.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID))
                            .isEqualTo(loops.bufferGroup() < 0 ? (short) -1 : loops.bufferGroup());
                }
            }
            client.close().sync();
            server.close().sync();
        } finally {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
