package io.archway.proxy.tcp;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.l4;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.ProxyConfig;
import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.Telemetry;
import io.archway.proxy.testing.StrayErrorWhileConnecting;
import io.archway.proxy.testing.TcpBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The relay's connect to the backend: an error that is not the connection's own does not end it. */
class TcpRelayConnectTest {
    @Test
    void aStrayErrorWhileConnectingLeavesTheConnectionUp() throws Exception {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (TcpBackend a = new TcpBackend("a")) {
            final L4Targets targets = new L4Targets(l4("TCPRoute", "r", backend("a", 1, a.port())));
            final TcpProxy proxy = new TcpProxy(new Bootstrap().channel(StrayErrorWhileConnecting.class), ProxyConfig.defaults(), Telemetry.NONE);
            final Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            proxy.serve(ch, targets, 0, null);
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setSoTimeout(5000);
                final InputStream in = client.getInputStream();
                assertThat(new String(in.readNBytes(2), StandardCharsets.UTF_8)).isEqualTo("a\n");
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("ping\n");
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
