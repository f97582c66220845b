package io.archway.proxy;

import static io.archway.proxy.DataPlaneTcpTest.waitFor;
import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.l4;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.UdpBackend;
import io.archway.snapshot.Transport;
import io.archway.snapshot.WeightedBackend;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UDP listeners (UDPRoute) over real loopback sockets. */
class DataPlaneUdpTest {
    private final DataPlaneTcpTest.Recorder recorder = new DataPlaneTcpTest.Recorder();
    private UdpBackend a;
    private UdpBackend b;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        a = new UdpBackend("a");
        b = new UdpBackend("b");
        port = Ports.free();
        plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()), recorder);
    }

    @AfterEach
    void stop() {
        plane.close();
        a.close();
        b.close();
    }

    private void restart(ProxyConfig config) {
        plane.close();
        plane = new DataPlane(config, recorder);
    }

    private void serve(long version, WeightedBackend... backends) {
        plane.apply(snapshot(version, udp(port, l4("UDPRoute", "r" + version, backends))));
    }

    @Test
    void echoesThroughTheProxy() throws Exception {
        serve(1, backend("a", 1, a.port()));
        assertThat(plane.localAddress("127.0.0.1", port, Transport.UDP).getPort()).isEqualTo(port);
        try (Client c = new Client(port)) {
            assertThat(c.ask("hello")).isEqualTo("a:hello");
            assertThat(c.ask("again")).isEqualTo("a:again");
        }
        assertThat(a.senders()).hasSize(1);
        assertThat(recorder.sessionsOpened.get()).isEqualTo(1);
    }

    @Test
    void largeDatagramsPassWhole() throws Exception {
        serve(1, backend("a", 1, a.port()));
        final String big = "x".repeat(60_000);
        try (Client c = new Client(port)) {
            assertThat(c.ask(big)).isEqualTo("a:" + big);
        }
    }

    @Test
    void fiftyConcurrentClientsEachGetOnlyTheirOwnReplies() throws Exception {
        serve(1, backend("a", 1, a.port()), backend("b", 1, b.port()));
        final ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            final List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                final int id = i;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try (Client c = new Client(port)) {
                        String via = null;
                        for (int j = 0; j < 20; j++) {
                            final String reply = c.ask("client-" + id + "-" + j);
                            final String[] parts = reply.split(":", 2);
                            assertThat(parts[1]).isEqualTo("client-" + id + "-" + j);
                            // A session stays on the backend picked for it.
                            if (via == null) {
                                via = parts[0];
                            }
                            assertThat(parts[0]).isEqualTo(via);
                        }
                        return 20;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            int total = 0;
            for (CompletableFuture<Integer> r : results) {
                total += r.get(20, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(1000);
            // One session (one upstream source port) per client; both backends got some.
            assertThat(a.senders().size() + b.senders().size()).isEqualTo(50);
            assertThat(a.senders()).isNotEmpty();
            assertThat(b.senders()).isNotEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idleSessionsExpire() throws Exception {
        restart(DataPlaneTcpTest.config(ProxyConfig.defaults()).withUdpSessions(Duration.ofMillis(300), 100));
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.ask("one")).isEqualTo("a:one");
            waitFor(() -> recorder.sessionsClosed.get() == 1);
            // A new session: a new upstream socket.
            assertThat(c.ask("two")).isEqualTo("a:two");
        }
        assertThat(a.senders()).hasSize(2);
        assertThat(recorder.sessionsOpened.get()).isEqualTo(2);
    }

    @Test
    void sessionTableIsBoundedAndEvictsTheLeastRecentlyActive() throws Exception {
        restart(DataPlaneTcpTest.config(ProxyConfig.defaults()).withUdpSessions(Duration.ofSeconds(30), 3));
        serve(1, backend("a", 1, a.port()));
        final List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                final Client c = new Client(port);
                clients.add(c);
                assertThat(c.ask("c" + i)).isEqualTo("a:c" + i);
            }
            assertThat(recorder.evicted.get()).isEqualTo(2);
            waitFor(() -> recorder.sessionsClosed.get() == 2);
            // The newest three keep their sessions; the first client comes back as a new one.
            assertThat(clients.get(4).ask("again")).isEqualTo("a:again");
            assertThat(a.senders()).hasSize(5);
            assertThat(clients.get(0).ask("back")).isEqualTo("a:back");
            assertThat(a.senders()).hasSize(6);
            assertThat(recorder.evicted.get()).isEqualTo(3);
        } finally {
            for (Client c : clients) {
                c.close();
            }
        }
    }

    @Test
    void weightZeroNeverGetsASession() throws Exception {
        serve(1, backend("a", 1, a.port()), backend("b", 0, b.port()));
        for (int i = 0; i < 30; i++) {
            try (Client c = new Client(port)) {
                assertThat(c.ask("x")).isEqualTo("a:x");
            }
        }
        assertThat(b.received()).isZero();
    }

    @Test
    void noRouteOrNoUsableBackendDropsDatagrams() throws Exception {
        plane.apply(snapshot(1, udp(port, null)));
        try (Client c = new Client(port)) {
            c.send("lost");
            assertThat(c.receive(300)).isNull();
        }
        serve(2, backend("a", 0, a.port()));
        try (Client c = new Client(port)) {
            c.send("lost");
            assertThat(c.receive(300)).isNull();
        }
        assertThat(a.received()).isZero();
        assertThat(recorder.dropped.get()).isEqualTo(2);
    }

    @Test
    void swapKeepsSessionsOnTheirBackendAndSendsNewClientsToTheNewRoute() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client old = new Client(port)) {
            assertThat(old.ask("1")).isEqualTo("a:1");
            serve(2, backend("b", 1, b.port()));
            try (Client fresh = new Client(port)) {
                assertThat(fresh.ask("2")).isEqualTo("b:2");
            }
            assertThat(old.ask("3")).isEqualTo("a:3");
        }
    }

    @Test
    void tcpAndUdpShareAPortNumber() throws Exception {
        try (TcpBackend t = new TcpBackend("t")) {
            plane.apply(snapshot(1, tcp(port, l4("TCPRoute", "t", backend("t", 1, t.port()))),
                    udp(port, l4("UDPRoute", "u", backend("a", 1, a.port())))));
            try (Client c = new Client(port); DataPlaneTcpTest.Client tc = new DataPlaneTcpTest.Client(port)) {
                assertThat(c.ask("u")).isEqualTo("a:u");
                assertThat(tc.line()).isEqualTo("t");
            }
        }
    }

    @Test
    void removedPortServesItsSessionsUntilTheDrainTimeoutThenCloses() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client old = new Client(port); Client late = new Client(port)) {
            assertThat(old.ask("1")).isEqualTo("a:1");
            final long removedAt = System.nanoTime();
            plane.apply(snapshot(2));
            assertThat(old.ask("2")).isEqualTo("a:2");
            late.send("new client while draining");
            assertThat(late.receive(200)).isNull();
            waitFor(() -> recorder.sessionsClosed.get() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - removedAt)).isGreaterThan(Duration.ofMillis(1200));
            old.send("3");
            assertThat(old.receive(300)).isNull();
        }
    }

    @Test
    void portBackWithinTheDrainTimeoutServesAgain() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client old = new Client(port)) {
            assertThat(old.ask("1")).isEqualTo("a:1");
            plane.apply(snapshot(2));
            serve(3, backend("b", 1, b.port()));
            assertThat(old.ask("2")).isEqualTo("a:2");
            Thread.sleep(1800); // past the first drain's deadline: it was cancelled
            assertThat(old.ask("3")).isEqualTo("a:3");
            try (Client fresh = new Client(port)) {
                assertThat(fresh.ask("4")).isEqualTo("b:4");
            }
        }
    }

    /** A UDP client socket of its own (its own source port: its own session). */
    static final class Client implements AutoCloseable {
        private final DatagramSocket socket;
        private final InetSocketAddress proxy;

        Client(int port) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            proxy = new InetSocketAddress("127.0.0.1", port);
        }

        void send(String s) throws IOException {
            final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, proxy));
        }

        /** The next datagram, or null when none came within {@code millis}. */
        String receive(int millis) throws IOException {
            socket.setSoTimeout(millis);
            final byte[] buf = new byte[65536];
            final DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            assertThat(p.getSocketAddress()).isEqualTo(proxy);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        }

        /** Sends and waits for the reply, resending on loss (UDP) up to 3 times. */
        String ask(String s) throws IOException {
            for (int attempt = 0; attempt < 3; attempt++) {
                send(s);
                final String reply = receive(2000);
                if (reply != null) {
                    return reply;
                }
            }
            throw new IOException("no reply to " + s.substring(0, Math.min(40, s.length())));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
