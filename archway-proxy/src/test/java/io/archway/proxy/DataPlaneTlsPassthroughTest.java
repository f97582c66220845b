package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.l4;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.TrafficObserver.TlsRejection;
import io.archway.proxy.testing.LeakCheck;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.TlsBackend;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS passthrough listeners (TLSRoute) over real loopback sockets: real TLS clients (JDK
 * SSLSocket, openssl s_client) through the proxy to real TLS backends that hold their own
 * certificates; the proxy holds none.
 */
class DataPlaneTlsPassthroughTest {
    private static TlsBackend a;
    private static TlsBackend b;
    private static TlsBackend c;
    private static TlsBackend d;
    private static LeakCheck leakCheck;

    private final Recorder recorder = new Recorder();
    private DataPlane plane;
    private int port;

    @BeforeAll
    static void backends() {
        leakCheck = new LeakCheck();
        a = new TlsBackend("a", "a.example.com");
        b = new TlsBackend("b", "b.example.com");
        c = new TlsBackend("c", "c.example.com");
        d = new TlsBackend("d", "d.example.org");
    }

    @AfterAll
    static void stopBackends() throws Exception {
        a.close();
        b.close();
        c.close();
        d.close();
        try {
            assertThat(LeakCheck.paranoid()).as("leak detection level").isTrue();
            assertThat(leakCheck.leaks()).as("Netty buffer leaks").isEmpty();
        } finally {
            leakCheck.close();
        }
    }

    @BeforeEach
    void start() {
        plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()), recorder);
        port = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    /** One listener for any name whose one route sends everything to {@code backend}. */
    private void serveAll(long version, TlsBackend backend) {
        plane.apply(snapshot(version, tls(port, passthrough("any", null,
                sni("*", "r" + version, backend("s" + version, 1, backend.port()))))));
    }

    /**
     * Listeners in the reverse of their precedence, so that the order proves nothing: any name ->
     * d; {@code *.example.com} with a route for exactly {@code foo.example.com} -> a and one for
     * {@code *.example.com} -> b; exactly {@code bar.example.com} -> c.
     */
    private void serveHostnames() {
        plane.apply(snapshot(1, tls(port,
                passthrough("any", null, sni("*", "any", backend("d", 1, d.port()))),
                passthrough("wild", "*.example.com",
                        sni("*.example.com", "wild", backend("b", 1, b.port())),
                        sni("foo.example.com", "foo", backend("a", 1, a.port()))),
                passthrough("bar", "bar.example.com", sni("bar.example.com", "bar", backend("c", 1, c.port()))))));
    }

    @Test
    void clientSeesTheBackendsOwnCertificateAndExchangesData() throws Exception {
        serveAll(1, a);
        try (TlsClient client = TlsClient.connect(port, "a.example.com")) {
            // The backend's own certificate, byte for byte: the proxy terminated nothing.
            assertThat(client.peer().getEncoded()).isEqualTo(a.certificate().getEncoded());
            assertThat(client.peer().getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
            assertThat(client.line()).isEqualTo("a");
            client.send("hello through the gateway\n");
            assertThat(client.line()).isEqualTo("hello through the gateway");
        }
        // The ClientHello reached the backend untouched: its SNI is there.
        waitFor(() -> a.serverNames().contains("a.example.com"));
        waitFor(() -> recorder.closed.size() == 1);
        final Recorder.Closed closed = recorder.closed.get(0);
        assertThat(closed.route().kind()).isEqualTo("TLSRoute");
        assertThat(closed.route().name()).isEqualTo("r1");
        assertThat(closed.backend().name()).isEqualTo("s1");
        assertThat(closed.fromClient()).isGreaterThan(200); // the ClientHello is forwarded too
        assertThat(closed.toClient()).isGreaterThan(200); // the backend's certificate came back
        assertThat(recorder.opened).hasSize(1);
        assertThat(recorder.rejected).isEmpty();
    }

    @Test
    void serverNamePicksTheMostSpecificListenerThenRoute() throws Exception {
        serveHostnames();
        // Exact route over the wildcard route of the same listener.
        assertThat(greeting("foo.example.com")).isEqualTo("a");
        // Wildcard route, one label and several.
        assertThat(greeting("x.example.com")).isEqualTo("b");
        assertThat(greeting("a.b.example.com")).isEqualTo("b");
        // Exact listener over the wildcard listener, whose wildcard route would match too.
        assertThat(greeting("bar.example.com")).isEqualTo("c");
        // Case-insensitive.
        assertThat(greeting("BAR.Example.COM")).isEqualTo("c");
        // A wildcard does not match its own suffix; the any-listener takes it.
        assertThat(greeting("example.com")).isEqualTo("d");
        assertThat(greeting("other.org")).isEqualTo("d");
        assertThat(recorder.rejected).isEmpty();
    }

    @Test
    void noServerNameAndUnknownServerNamesAreClosed() throws Exception {
        plane.apply(snapshot(1, tls(port,
                passthrough("wild", "*.example.com",
                        sni("foo.example.com", "foo", backend("a", 1, a.port()))),
                passthrough("bar", "bar.example.com", sni("bar.example.com", "bar", backend("c", 1, c.port()))))));
        final int before = a.accepted() + c.accepted();
        assertHandshakeFails(null);
        assertHandshakeFails("unknown.org");
        // The wildcard listener is the most specific for this name; no fall-through past its routes.
        assertHandshakeFails("nope.example.com");
        // Still served.
        assertThat(greeting("foo.example.com")).isEqualTo("a");
        assertThat(a.accepted() + c.accepted()).isEqualTo(before + 1);
        waitFor(() -> recorder.rejected.size() == 3);
        assertThat(recorder.rejected).containsExactly(TlsRejection.NO_SNI, TlsRejection.UNKNOWN_SNI,
                TlsRejection.UNKNOWN_SNI);
        assertThat(recorder.opened).hasSize(1);
    }

    @Test
    void nonTlsBytesAreClosedAtOnce() throws Exception {
        serveAll(1, a);
        final int before = a.accepted();
        for (String junk : List.of("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n", "SSH-2.0-OpenSSH_9.6\r\n",
                "\u0015\u0003\u0001\u0000\u0002\u0002\u0028")) { // a TLS alert record: no ClientHello
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                final long t0 = System.nanoTime();
                s.getOutputStream().write(junk.getBytes(StandardCharsets.ISO_8859_1));
                assertThat(eofOrReset(s)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            }
        }
        waitFor(() -> recorder.rejected.size() == 3);
        assertThat(recorder.rejected).containsOnly(TlsRejection.NOT_TLS);
        assertThat(a.accepted()).isEqualTo(before);
    }

    /**
     * A ClientHello of about 7 KiB (many long ALPN names) trickled through in 100-byte pieces, so
     * the proxy reads it in dozens of reads: it is reassembled, routed, and reaches the backend
     * whole. One of about 20 KiB is over the 16 KiB bound and is closed.
     */
    @Test
    void largeClientHelloInManyReadsStillParsesAndAnOversizedOneIsClosed() throws Exception {
        serveHostnames();
        try (Trickle trickle = new Trickle(port, 100, 2);
             TlsClient client = TlsClient.connect(trickle.port(), "foo.example.com", alpn(30, 200))) {
            assertThat(client.line()).isEqualTo("a");
            client.send("after a big hello\n");
            assertThat(client.line()).isEqualTo("after a big hello");
            assertThat(trickle.pieces.get()).isGreaterThan(50);
        }
        assertThatThrownBy(() -> {
            try (TlsClient client = TlsClient.connect(port, "foo.example.com", alpn(80, 250))) {
                client.line();
            }
        }).isInstanceOf(IOException.class);
        waitFor(() -> recorder.rejected.contains(TlsRejection.TOO_LARGE));
    }

    @Test
    void connectionsSpreadByWeightAndNeverToWeightZero() throws Exception {
        try (TlsBackend zero = new TlsBackend("zero", "zero.example.com")) {
            plane.apply(snapshot(1, tls(port, passthrough("l", "*.example.com",
                    sni("*", "w", backend("a", 70, a.port()), backend("b", 30, b.port()),
                            backend("zero", 0, zero.port()))))));
            final int n = 200;
            int toA = 0;
            for (int i = 0; i < n; i++) {
                final String name = greeting("w.example.com");
                assertThat(name).isIn("a", "b");
                if (name.equals("a")) {
                    toA++;
                }
            }
            // 70 % of 200 = 140; the binomial standard deviation is about 6.5: 4 sigma either way.
            assertThat(toA).isBetween(114, 166);
            assertThat(zero.accepted()).isZero();
            System.out.printf("TLS passthrough weights 70/30/0 over %d connections: %d/%d/0%n", n, toA, n - toA);
        }
    }

    @Test
    void swapKeepsAnOpenConnectionOnItsBackend() throws Exception {
        serveAll(1, a);
        try (TlsClient old = TlsClient.connect(port, "x.example.com")) {
            assertThat(old.line()).isEqualTo("a");
            final int aBefore = a.accepted();
            serveAll(2, b);
            assertThat(greeting("x.example.com")).isEqualTo("b");
            old.send("still a\n");
            assertThat(old.line()).isEqualTo("still a");
            assertThat(old.peer().getEncoded()).isEqualTo(a.certificate().getEncoded());
            assertThat(a.accepted()).isEqualTo(aBefore);
        }
    }

    @Test
    void kindSwitchToTcpDrainsPassthroughConnectionsAndServesTcp() throws Exception {
        try (TcpBackend plain = new TcpBackend("plain")) {
            serveAll(1, a);
            try (TlsClient old = TlsClient.connect(port, "x.example.com")) {
                assertThat(old.line()).isEqualTo("a");
                final long switchedAt = System.nanoTime();
                plane.apply(snapshot(2, tcp(port, l4("TCPRoute", "t", backend("plain", 1, plain.port())))));
                try (DataPlaneTcpTest.Client fresh = new DataPlaneTcpTest.Client(port)) {
                    assertThat(fresh.line()).isEqualTo("plain");
                }
                // The passthrough connection runs on while it drains, then closes (drain timeout 1.5 s).
                old.send("draining\n");
                assertThat(old.line()).isEqualTo("draining");
                assertThatThrownBy(old::line).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - switchedAt)).isGreaterThan(Duration.ofMillis(1200));
            }
        }
    }

    @Test
    void removedPortStopsAcceptingAndItsConnectionsDrain() throws Exception {
        serveAll(1, a);
        try (TlsClient open = TlsClient.connect(port, "x.example.com")) {
            assertThat(open.line()).isEqualTo("a");
            plane.apply(snapshot(2));
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
            open.send("last\n");
            assertThat(open.line()).isEqualTo("last");
            assertThatThrownBy(open::line).isInstanceOf(IOException.class);
        }
    }

    @Test
    void routeWithoutUsableBackendClosesAfterTheHello() throws Exception {
        plane.apply(snapshot(1, tls(port, passthrough("l", null,
                sni("zero.example.com", "zero", backend("a", 0, a.port())),
                sni("gone.example.com", "gone", backend("gone", 1, Ports.free()))))));
        final int before = a.accepted();
        assertHandshakeFails("zero.example.com");
        assertHandshakeFails("gone.example.com");
        waitFor(() -> recorder.closed.size() == 2);
        assertThat(recorder.closed).allMatch(cl -> cl.route().kind().equals("TLSRoute") && cl.backend() == null
                || cl.backend().name().equals("gone"));
        assertThat(recorder.rejected).isEmpty();
        assertThat(a.accepted()).isEqualTo(before);
    }

    /** openssl s_client through the proxy sees the backend's certificate (skipped without openssl). */
    @Test
    void opensslSClientSeesTheBackendsCertificate() throws Exception {
        final Path openssl = onPath("openssl");
        Assumptions.assumeTrue(openssl != null, "openssl is not installed");
        serveHostnames();
        final Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "foo.example.com", "-showcerts")
                .redirectErrorStream(true).start();
        p.getOutputStream().close(); // EOF on stdin: s_client leaves after the handshake
        final byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).containsPattern("subject=\\s*CN\\s*=\\s*a\\.example\\.com");
        final String base64 = text.substring(text.indexOf("-----BEGIN CERTIFICATE-----") + 27,
                text.indexOf("-----END CERTIFICATE-----")).replaceAll("\\s", "");
        assertThat(Base64.getDecoder().decode(base64)).isEqualTo(a.certificate().getEncoded());
        waitFor(() -> a.serverNames().contains("foo.example.com"));
    }

    private static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            final Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The backend's greeting for a new connection with that server name. */
    private String greeting(String serverName) throws IOException {
        try (TlsClient client = TlsClient.connect(port, serverName)) {
            return client.line();
        }
    }

    private void assertHandshakeFails(String serverName) {
        final long t0 = System.nanoTime();
        assertThatThrownBy(() -> {
            try (TlsClient client = TlsClient.connect(port, serverName)) {
                client.line();
            }
        }).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    private static String[] alpn(int count, int length) {
        final String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            final char[] chars = new char[length];
            Arrays.fill(chars, (char) ('a' + i % 26));
            names[i] = i + new String(chars, 0, length - String.valueOf(i).length());
        }
        return names;
    }

    private static boolean eofOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        DataPlaneTcpTest.waitFor(condition);
    }

    /** A JDK TLS client trusting any certificate, which it keeps for the test to compare. */
    static final class TlsClient implements AutoCloseable {
        private final SSLSocket socket;
        private final InputStream in;

        private TlsClient(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /** @param serverName the SNI to send; null for none */
        static TlsClient connect(int port, String serverName, String... alpn) throws IOException {
            final SSLContext ctx;
            try {
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAll()}, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
            try {
                s.setSoTimeout(5000);
                s.setTcpNoDelay(true);
                s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                final SSLParameters params = s.getSSLParameters();
                params.setServerNames(serverName == null ? List.of() : List.<SNIServerName>of(new SNIHostName(serverName)));
                if (alpn.length > 0) {
                    params.setApplicationProtocols(alpn);
                }
                s.setSSLParameters(params);
                s.startHandshake();
                return new TlsClient(s);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        X509Certificate peer() throws IOException {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        void send(String text) throws IOException {
            final OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Half-closes: a TLS 1.3 close_notify (the JDK keeps the socket open for reading). */
        void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        /** One decrypted byte; -1 at the end of the stream. */
        int read() throws IOException {
            return in.read();
        }

        String line() throws IOException {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            int ch;
            while ((ch = in.read()) != '\n') {
                if (ch < 0) {
                    throw new IOException("EOF after " + out);
                }
                out.write(ch);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * A loopback relay in front of the proxy that passes the client's first 16 KiB in small
     * pieces, each flushed on its own after a pause, so the proxy gets the ClientHello in many
     * reads; the rest, and everything back, is passed as it comes.
     */
    static final class Trickle implements AutoCloseable {
        final AtomicInteger pieces = new AtomicInteger();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Trickle(int proxyPort, int piece, long pauseMillis) throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            final Thread t = new Thread(() -> {
                try {
                    final Socket client = server.accept();
                    final Socket proxy = new Socket("127.0.0.1", proxyPort);
                    client.setTcpNoDelay(true);
                    proxy.setTcpNoDelay(true);
                    sockets.add(client);
                    sockets.add(proxy);
                    pump(proxy, client, Integer.MAX_VALUE, 0, 0, null);
                    pump(client, proxy, piece, pauseMillis, 16384, pieces);
                } catch (IOException ignored) {
                    // closed
                }
            }, "trickle");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pump(Socket from, Socket to, int piece, long pauseMillis, int trickled,
                                 AtomicInteger pieces) {
            final Thread t = new Thread(() -> {
                final byte[] buf = new byte[16384];
                long sent = 0;
                try {
                    final InputStream in = from.getInputStream();
                    final OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        int off = 0;
                        while (off < n) {
                            final int len = sent < trickled ? Math.min(piece, n - off) : n - off;
                            out.write(buf, off, len);
                            out.flush();
                            off += len;
                            if (sent < trickled) {
                                pieces.incrementAndGet();
                                Thread.sleep(pauseMillis);
                            }
                            sent += len;
                        }
                    }
                    to.shutdownOutput();
                } catch (IOException | InterruptedException ignored) {
                    // closed
                }
            }, "trickle-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    static final class Recorder implements TrafficObserver {
        record Closed(RouteOrigin route, BackendOrigin backend, long fromClient, long toClient) {
        }

        final List<RouteOrigin> opened = new CopyOnWriteArrayList<>();
        final List<Closed> closed = new CopyOnWriteArrayList<>();
        final List<TlsRejection> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void tcpConnectionOpened(RouteOrigin route) {
            opened.add(route);
        }

        @Override
        public void tcpConnectionClosed(RouteOrigin route, BackendOrigin backend, long fromClient, long toClient,
                                        long durationNanos) {
            closed.add(new Closed(route, backend, fromClient, toClient));
        }

        @Override
        public void tlsPassthroughRejected(int listenerPort, TlsRejection reason) {
            rejected.add(reason);
        }
    }
}
