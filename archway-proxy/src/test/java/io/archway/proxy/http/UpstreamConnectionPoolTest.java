package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.StrayErrorWhileConnecting;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The upstream pool's connect: an error that is not the connection's own does not fail it. */
class UpstreamConnectionPoolTest {
    @Test
    void aStrayErrorWhileConnectingDoesNotFailTheConnect() throws Exception {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            final UpstreamConnectionPool pool = new UpstreamConnectionPool(group, new Bootstrap().channel(StrayErrorWhileConnecting.class),
                    Duration.ofSeconds(2), Duration.ofSeconds(60));
            final CompletableFuture<Channel> connected = new CompletableFuture<>();
            final EventLoop loop = group.next();
            loop.execute(() -> pool.connect(loop, new UpstreamAddress("127.0.0.1", backend.getLocalPort()),
                    new Outcome(connected)));
            final Channel channel = connected.get(5, TimeUnit.SECONDS);
            assertThat(channel.isActive()).isTrue();
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    /** Hears only how the connect ended. */
    private record Outcome(CompletableFuture<Channel> connected) implements UpstreamListener {
        @Override
        public void onUpstreamConnected(Channel channel, boolean reused) {
            connected.complete(channel);
        }

        @Override
        public void onUpstreamConnectFailed(Throwable cause) {
            connected.completeExceptionally(cause);
        }

        @Override
        public void onUpstreamResponse(HttpResponse response) {
        }

        @Override
        public void onUpstreamContent(HttpContent content) {
            content.release();
        }

        @Override
        public void onUpstreamReadComplete() {
        }

        @Override
        public void onUpstreamWritabilityChanged() {
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
        }

        @Override
        public void onUpstreamIdle() {
        }
    }
}
