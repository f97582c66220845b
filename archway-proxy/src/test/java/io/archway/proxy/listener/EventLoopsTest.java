package io.archway.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archway.proxy.testing.TransportProperty;
import io.netty.bootstrap.Bootstrap;
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
    void anUnknownTransportIsAClearError() {
        assertThatThrownBy(() -> with("uring")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Darchway.transport must be io_uring, epoll or nio, not 'uring'");
    }

    private static void echo(EventLoops loops, Class<?> expected) throws Exception {
        try {
            assertThat(loops.channelClass()).isEqualTo(expected);
            final Channel server = new ServerBootstrap().group(loops.group()).channel(loops.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            final CompletableFuture<String> echoed = new CompletableFuture<>();
            final Channel client = new Bootstrap().group(loops.group()).channel(loops.channelClass())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            echoed.complete(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                            ((ByteBuf) msg).release();
                        }
                    }).connect((InetSocketAddress) server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            client.close().sync();
            server.close().sync();
        } finally {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
