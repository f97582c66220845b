package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.invalidBackend;
import static io.archway.proxy.testing.Snapshots.l4;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.TestBackend;
import io.archway.proxy.testing.TransportProperty;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.WeightedBackend;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TCP listeners (TCPRoute) over real loopback sockets, on the default transport. */
class DataPlaneTcpTest {
    private final Recorder recorder = new Recorder();
    private TcpBackend a;
    private TcpBackend b;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        a = new TcpBackend("a");
        b = new TcpBackend("b");
        plane = TransportProperty.with(transport(), () -> new DataPlane(config(ProxyConfig.defaults()), recorder));
        port = Ports.free();
    }

    /** The {@code -Darchway.transport} these tests run on; null: the default. */
    String transport() {
        return null;
    }

    static ProxyConfig config(ProxyConfig base) {
        return new ProxyConfig(0, 2, base.maxInitialLineLength(), base.maxHeaderSize(), Duration.ofSeconds(2),
                base.idleTimeout(), Duration.ofMillis(1500), null, base.tcpIdleTimeout(), base.udpSessionIdleTimeout(),
                base.udpMaxSessions());
    }

    @AfterEach
    void stop() {
        plane.close();
        a.close();
        b.close();
    }

    private void serve(long version, WeightedBackend... backends) {
        plane.apply(snapshot(version, tcp(port, l4("TCPRoute", "r" + version, backends))));
    }

    @Test
    void echoesThroughTheProxy() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.line()).isEqualTo("a");
            c.send("hello proxy\n");
            assertThat(c.line()).isEqualTo("hello proxy");
        }
        waitFor(() -> recorder.closed.size() == 1);
        final Recorder.Closed closed = recorder.closed.get(0);
        assertThat(closed.route.name()).isEqualTo("r1");
        assertThat(closed.backend.name()).isEqualTo("a");
        assertThat(closed.fromClient).isEqualTo(12);
        assertThat(closed.toClient).isGreaterThanOrEqualTo(2 + 12);
        assertThat(recorder.opened.get()).isEqualTo(1);
    }

    @Test
    void spreadsConnectionsByWeightAndNeverToWeightZero() throws Exception {
        try (TcpBackend zero = new TcpBackend("zero")) {
            serve(1, backend("a", 70, a.port()), backend("b", 30, b.port()), backend("zero", 0, zero.port()));
            final int n = 400;
            int toA = 0;
            for (int i = 0; i < n; i++) {
                try (Client c = new Client(port)) {
                    final String name = c.line();
                    assertThat(name).isIn("a", "b");
                    if (name.equals("a")) {
                        toA++;
                    }
                }
            }
            // 70 % of 400 = 280; the binomial standard deviation is about 9.2: 4 sigma either way.
            assertThat(toA).isBetween(243, 317);
            assertThat(zero.accepted()).isZero();
            System.out.printf("TCP weights 70/30/0 over %d connections: %d/%d/0%n", n, toA, n - toA);
        }
    }

    @Test
    void halfCloseReachesTheBackendWhichStillReplies() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.line()).isEqualTo("a");
            c.send("last words\n");
            c.socket.shutdownOutput();
            // The backend saw EOF after the data, and its answer still comes back.
            assertThat(c.line()).isEqualTo("last words");
            assertThat(c.line()).isEqualTo("eof:a");
            assertThat(c.eof()).isTrue();
        }
    }

    @Test
    void backendHalfCloseReachesTheClientWhoStillSends() throws Exception {
        // The backend writes, shuts its output, and reads on: the client sees EOF and may still send.
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            serve(1, backend("s", 1, server.getLocalPort()));
            try (Client c = new Client(port); Socket s = server.accept()) {
                s.getOutputStream().write("bye\n".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                assertThat(c.line()).isEqualTo("bye");
                assertThat(c.eof()).isTrue();
                c.send("still here\n");
                final byte[] got = s.getInputStream().readNBytes(11);
                assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("still here\n");
                c.socket.shutdownOutput();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void noRouteClosesTheConnectionAtOnce() throws Exception {
        plane.apply(snapshot(1, tcp(port, null)));
        try (Client c = new Client(port)) {
            assertThat(c.eofOrReset()).isTrue();
        }
    }

    @Test
    void zeroWeightsInvalidBackendsAndNoEndpointsCloseTheConnection() throws Exception {
        serve(1, backend("a", 0, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.eofOrReset()).isTrue();
        }
        serve(2, invalidBackend("missing"));
        try (Client c = new Client(port)) {
            assertThat(c.eofOrReset()).isTrue();
        }
        serve(3, backend("empty", 1));
        try (Client c = new Client(port)) {
            assertThat(c.eofOrReset()).isTrue();
        }
        assertThat(a.accepted()).isZero();
        waitFor(() -> recorder.closed.size() == 3);
        assertThat(recorder.closed).allMatch(c -> c.backend == null);
    }

    @Test
    void refusedConnectClosesTheClient() throws Exception {
        serve(1, backend("gone", 1, Ports.free()));
        try (Client c = new Client(port)) {
            assertThat(c.eofOrReset()).isTrue();
        }
        waitFor(() -> recorder.connectErrors.get() == 1);
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        plane.close();
        plane = new DataPlane(config(ProxyConfig.defaults()).withTcpIdleTimeout(Duration.ofMillis(300)), recorder);
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.line()).isEqualTo("a");
            final long t0 = System.nanoTime();
            assertThat(c.eofOrReset()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(3));
        }
    }

    @Test
    void swapKeepsOpenConnectionsOnTheirBackend() throws Exception {
        serve(1, backend("a", 1, a.port()));
        try (Client old = new Client(port)) {
            assertThat(old.line()).isEqualTo("a");
            serve(2, backend("b", 1, b.port()));
            try (Client fresh = new Client(port)) {
                assertThat(fresh.line()).isEqualTo("b");
            }
            old.send("ping\n");
            assertThat(old.line()).isEqualTo("ping");
            old.socket.shutdownOutput();
            assertThat(old.line()).isEqualTo("eof:a");
        }
        assertThat(a.accepted()).isEqualTo(1);
        assertThat(b.accepted()).isEqualTo(1);
    }

    @Test
    void removedPortStopsAcceptingAndClosesOpenConnectionsAfterTheDrainTimeout() throws Exception {
        final int other = Ports.free();
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.line()).isEqualTo("a");
            final long removedAt = System.nanoTime();
            plane.apply(snapshot(2, tcp(other, l4("TCPRoute", "o", backend("b", 1, b.port())))));
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            // Still relayed while it drains...
            c.send("draining\n");
            assertThat(c.line()).isEqualTo("draining");
            // ...and closed at the drain timeout (1.5 s).
            assertThat(c.eofOrReset()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - removedAt)).isGreaterThan(Duration.ofMillis(1200));
        }
    }

    @Test
    void kindSwitchFromHttpToTcpDrainsHttpConnectionsAndServesTcp() throws Exception {
        try (TestBackend web = new TestBackend("web")) {
            plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("w", "/", backend("web", 1, web.port())))))));
            try (RawHttp h = RawHttp.connect(port)) {
                h.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(h.read().body()).isEqualTo("web");
                serve(2, backend("a", 1, a.port()));
                // The idle keep-alive connection accepted as HTTP is closed by the switch.
                assertThat(h.closedByPeer()).isTrue();
            }
            try (Client c = new Client(port)) {
                assertThat(c.line()).isEqualTo("a");
            }
        }
    }

    /**
     * 64 MiB (or {@code -Darchway.test.slowReaderMiB=1024} for the 1 GiB) from a backend
     * that writes as fast as it can to a client that reads slowly: the proxy's buffers stay
     * bounded (it reads the backend only as fast as the client takes the bytes), and every byte
     * arrives in order.
     */
    @Test
    void largeTransferToSlowReaderKeepsProxyMemoryBounded() throws Exception {
        final long total = Long.getLong("archway.test.slowReaderMiB", 64) << 20;
        final AtomicLong written = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            serve(1, backend("firehose", 1, server.getLocalPort()));
            final Thread writer = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    final byte[] chunk = new byte[65536];
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = (byte) ((sent + i) % 251);
                        }
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException ignored) {
                    // the test fails on the reading side
                }
            });
            writer.setDaemon(true);
            final long baseline = directMemoryUsed();
            long maxUsed = baseline;
            long maxAhead = 0;
            final long t0 = System.nanoTime();
            try (Socket c = new Socket()) {
                c.setReceiveBufferSize(64 * 1024);
                c.connect(plane.localAddress("127.0.0.1", port));
                c.setSoTimeout(10_000);
                writer.start();
                final InputStream in = c.getInputStream();
                final byte[] buf = new byte[16384];
                long read = 0;
                long sinceNap = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != (byte) ((read + i) % 251)) {
                            throw new AssertionError("byte " + (read + i) + " differs");
                        }
                    }
                    read += n;
                    sinceNap += n;
                    if (sinceNap >= 512 * 1024) {
                        // The slow part: the client takes about 50 MiB/s at most.
                        sinceNap = 0;
                        Thread.sleep(10);
                        maxUsed = Math.max(maxUsed, directMemoryUsed());
                        maxAhead = Math.max(maxAhead, written.get() - read);
                    }
                }
                assertThat(read).isEqualTo(total);
            }
            final long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("TCP %d MiB to a slow reader: %d ms; proxy pooled direct memory %d KiB above baseline at"
                    + " most; backend ahead of the client by %d KiB at most (kernel socket buffers included)%n",
                    total >> 20, millis, (maxUsed - baseline) >> 10, maxAhead >> 10);
            // Buffering the transfer would take most of its 64 MiB (the backend writes far faster than
            // the client reads); the relay holds one read buffer per direction. The figure is the
            // allocator's chunks, JVM-wide, not the relay's buffers: Netty's adaptive allocator reserves
            // memory by the chunk and adds magazines (with their own chunks) when threads contend, and
            // other tests' event loops in the same JVM allocate too. Alone it is 0.4-4 MiB; a loaded
            // machine showed 8.1 MiB, and one fresh-clone CI run 19.1 MiB (session 12). The bound is
            // half the transfer, which a relay that buffered it would exceed.
            assertThat(total).isGreaterThanOrEqualTo(64L << 20);
            assertThat(maxUsed - baseline).isLessThan(total / 2);
            // The backend's writes blocked: it never got further ahead of what the client read than
            // the kernel's socket buffers allow (the proxy's upstream receive buffer autotunes up to
            // tcp_rmem's maximum, 32 MiB here; the two send buffers up to tcp_wmem's) plus the relay.
            long kernel = kernelMaximum("tcp_rmem") + 2 * kernelMaximum("tcp_wmem");
            assertThat(kernel + (8L << 20)).as("the bound must be below the transfer to prove anything")
                    .isLessThan(total);
            assertThat(maxAhead).isLessThan(kernel + (8L << 20));
        }
    }

    /** The largest buffer the kernel autotunes a TCP socket to (the third field of net.ipv4.NAME). */
    private static long kernelMaximum(String name) throws IOException {
        // readAllLines, not readString: readString trusts the size /proc reports and returned "4" here.
        String[] fields = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4", name)).get(0)
                .trim().split("\\s+");
        return Long.parseLong(fields[2]);
    }

    /** 64 MiB as fast as loopback allows: a rough throughput figure, and every byte arrives. */
    @Test
    void largeTransferAtFullSpeed() throws Exception {
        final long total = 64L << 20;
        serve(1, backend("a", 1, a.port()));
        try (Client c = new Client(port)) {
            assertThat(c.line()).isEqualTo("a");
            final Thread writer = new Thread(() -> {
                try {
                    final byte[] chunk = new byte[65536];
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        c.socket.getOutputStream().write(chunk);
                    }
                    c.socket.shutdownOutput();
                } catch (IOException ignored) {
                    // the reading side fails the test
                }
            });
            final long t0 = System.nanoTime();
            writer.start();
            final InputStream in = c.socket.getInputStream();
            final byte[] buf = new byte[65536];
            long read = 0;
            int n;
            // Echoed back: the bytes cross the proxy twice, then "eof:a\n".
            while ((n = in.read(buf)) >= 0) {
                read += n;
            }
            final long millis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            assertThat(read).isEqualTo(total + "eof:a\n".length());
            System.out.printf("TCP 64 MiB echoed through the proxy at full speed: %d ms (%d MiB/s each way)%n",
                    millis, 64_000 / millis);
        }
    }

    /**
     * The client sends its request and half-closes before the backend answers, so the proxy's
     * client channel has its input shut and nothing to write (Netty 4.2.18's epoll transport then
     * drops the socket from epoll); the backend's large reply must still all reach the client,
     * which reads late so the proxy's writes have to wait for the socket to become writable.
     */
    @Test
    void largeReplyAfterTheClientHalfClosedArrivesWhole() throws Exception {
        final int total = 8 << 20;
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            serve(1, backend("s", 1, server.getLocalPort()));
            for (int round = 0; round < 3; round++) {
                try (Client c = new Client(port)) {
                    c.send("request\n");
                    c.socket.shutdownOutput();
                    try (Socket s = server.accept()) {
                        // The client's FIN went through the proxy before the reply starts.
                        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                                .isEqualTo("request\n");
                        final Thread replier = new Thread(() -> {
                            try (OutputStream out = s.getOutputStream()) {
                                final byte[] chunk = new byte[65536];
                                for (int sent = 0; sent < total; sent += chunk.length) {
                                    for (int i = 0; i < chunk.length; i++) {
                                        chunk[i] = (byte) ((sent + i) % 251);
                                    }
                                    out.write(chunk);
                                }
                            } catch (IOException ignored) {
                                // the reading side fails the test
                            }
                        });
                        replier.start();
                        Thread.sleep(100);
                        final InputStream in = c.socket.getInputStream();
                        final byte[] buf = new byte[65536];
                        long read = 0;
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            for (int i = 0; i < n; i++) {
                                if (buf[i] != (byte) ((read + i) % 251)) {
                                    throw new AssertionError("byte " + (read + i) + " differs");
                                }
                            }
                            read += n;
                        }
                        assertThat(read).as("round %d", round).isEqualTo(total);
                        replier.join();
                    }
                }
            }
        }
    }

    /**
     * Many short echo exchanges where the client half-closes right after writing (often before
     * the proxy's connection to the backend is up) and the backend closes right after its last
     * write: every byte, both ways, and the FIN arrive every time.
     */
    @Test
    void manyShortExchangesWithImmediateHalfCloseLoseNothing() throws Exception {
        serve(1, backend("a", 1, a.port()));
        final byte[] payload = new byte[200_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 253);
        }
        for (int round = 0; round < 100; round++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                final Thread writer = new Thread(() -> {
                    try {
                        s.getOutputStream().write(payload);
                        s.shutdownOutput();
                    } catch (IOException ignored) {
                        // the reading side fails the test
                    }
                });
                writer.start();
                final byte[] got = s.getInputStream().readAllBytes();
                writer.join();
                final String head = "a\n";
                final String tail = "eof:a\n";
                assertThat(got.length).as("round %d", round).isEqualTo(head.length() + payload.length + tail.length());
                for (int i = 0; i < payload.length; i++) {
                    if (got[head.length() + i] != payload[i]) {
                        throw new AssertionError("round " + round + ": byte " + i + " differs");
                    }
                }
                assertThat(new String(got, got.length - tail.length(), tail.length(), StandardCharsets.UTF_8))
                        .isEqualTo(tail);
            }
        }
    }

    private static long directMemoryUsed() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }

    /** A blocking client reading lines. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        private final InputStream in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
        }

        void send(String s) throws IOException {
            socket.getOutputStream().write(s.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        String line() throws IOException {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("EOF after " + out);
                }
                out.write(c);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        boolean eof() throws IOException {
            return in.read() == -1;
        }

        /** The proxy closed the connection (FIN or RST) without sending anything. */
        boolean eofOrReset() throws IOException {
            try {
                return in.read() == -1;
            } catch (SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static final class Recorder implements TrafficObserver {
        record Closed(RouteOrigin route, BackendOrigin backend, long fromClient, long toClient) {
        }

        final AtomicLong opened = new AtomicLong();
        final AtomicLong connectErrors = new AtomicLong();
        final List<Closed> closed = new CopyOnWriteArrayList<>();
        final AtomicLong sessionsOpened = new AtomicLong();
        final AtomicLong sessionsClosed = new AtomicLong();
        final AtomicLong evicted = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();

        @Override
        public void tcpConnectionOpened(RouteOrigin route) {
            opened.incrementAndGet();
        }

        @Override
        public void tcpConnectionClosed(RouteOrigin route, BackendOrigin backend, long fromClient, long toClient,
                                        long durationNanos) {
            closed.add(new Closed(route, backend, fromClient, toClient));
        }

        @Override
        public void upstreamConnectError(BackendOrigin backend) {
            connectErrors.incrementAndGet();
        }

        @Override
        public void udpSessionOpened(RouteOrigin route, BackendOrigin backend) {
            sessionsOpened.incrementAndGet();
        }

        @Override
        public void udpSessionClosed(RouteOrigin route, BackendOrigin backend, long fromClient, long toClient,
                                     long durationNanos) {
            sessionsClosed.incrementAndGet();
        }

        @Override
        public void udpSessionEvicted(RouteOrigin route) {
            evicted.incrementAndGet();
        }

        @Override
        public void udpDatagramDropped(int listenerPort) {
            dropped.incrementAndGet();
        }
    }
}
