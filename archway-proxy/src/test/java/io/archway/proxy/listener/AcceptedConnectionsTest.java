package io.archway.proxy.listener;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.l4;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archway.proxy.testing.TransportProperty;
import io.archway.snapshot.PortBinding;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listening socket's handler: an accepted HTTP connection receives into io_uring's buffer ring,
 * a TCP or TLS one (relayed with reads on demand) does not, and the kind it was accepted for is
 * the one its initializer serves, even when the snapshot changes in between.
 */
class AcceptedConnectionsTest {
    private static EventLoops loops;

    @BeforeAll
    static void loops() {
        assumeTrue(IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported(),
                "io_uring with buffer rings is not available here");
        loops = TransportProperty.with("io_uring", () -> EventLoops.create(1));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (loops != null) {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void anHttpConnectionReceivesIntoTheRing() {
        assertThat(accept(http(8080))).isEqualTo(loops.bufferGroup());
    }

    @Test
    void aTcpConnectionDoesNot() {
        assertThat(accept(tcp(8080, l4("TCPRoute", "r", backend("a", 1, 9000))))).isEqualTo((short) -1);
    }

    @Test
    void aTlsConnectionDoesNot() {
        assertThat(accept(tls(8080, passthrough("any", null, sni("*", "r", backend("a", 1, 9000))))))
                .isEqualTo((short) -1);
    }

    @Test
    void theInitializerServesTheKindTheConnectionWasAcceptedFor() {
        final AtomicReference<CompiledSnapshot> current = new AtomicReference<>(
                CompiledSnapshot.compile(snapshot(1, http(8080)), CompiledSnapshot.empty()));
        final BoundPort port = new BoundPort(http(8080).key(), current, Duration.ofSeconds(1));
        final IoUringSocketChannel connection = new IoUringSocketChannel();
        final EmbeddedChannel listening = new EmbeddedChannel(new AcceptedConnections(port, loops));
        listening.writeInbound(connection);
        current.set(CompiledSnapshot.compile(snapshot(2, tcp(8080, l4("TCPRoute", "r", backend("a", 1, 9000)))),
                current.get()));
        assertThat(port.served()).isInstanceOf(ServedPort.Tcp.class);
        assertThat(AcceptedConnections.served(connection)).isInstanceOf(ServedPort.Http.class);
        listening.finishAndReleaseAll();
    }

    /** The buffer group of a connection {@code binding}'s listener accepted. */
    private static short accept(PortBinding binding) {
        final AtomicReference<CompiledSnapshot> current = new AtomicReference<>(
                CompiledSnapshot.compile(snapshot(1, binding), CompiledSnapshot.empty()));
        final BoundPort port = new BoundPort(binding.key(), current, Duration.ofSeconds(1));
        final IoUringSocketChannel connection = new IoUringSocketChannel();
        final EmbeddedChannel listening = new EmbeddedChannel(new AcceptedConnections(port, loops));
        listening.writeInbound(connection);
        assertThat((Object) listening.readInbound()).as("handed on to the acceptor").isSameAs(connection);
        listening.finishAndReleaseAll();
        return connection.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID);
    }
}
