package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.testing.H2cClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Removing a port: in-flight requests finish with Connection: close; stragglers are forced out. */
class DataPlaneDrainTest {
    private TestBackend backend;
    private DataPlane plane;
    private int kept;
    private int removed;

    @BeforeEach
    void start() {
        backend = new TestBackend("d");
        final ProxyConfig defaults = ProxyConfig.defaults();
        plane = new DataPlane(new ProxyConfig(0, 2, defaults.maxInitialLineLength(), defaults.maxHeaderSize(),
                defaults.connectTimeout(), defaults.idleTimeout(), Duration.ofMillis(2500)));
        kept = Ports.free();
        removed = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
        backend.close();
    }

    @Test
    void inFlightRequestOnRemovedPortCompletesWithConnectionClose() throws Exception {
        backend.slowMillis(1000);
        plane.apply(snapshot(1,
                http(kept, listener(null, vhost("*", prefix("k", "/", backend("d", 1, backend.port()))))),
                http(removed, listener(null, vhost("*", prefix("r", "/", backend("d", 1, backend.port())))))));
        try (RawHttp c = RawHttp.connect(removed)) {
            c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            waitForRequests(1);
            plane.apply(snapshot(2,
                    http(kept, listener(null, vhost("*", prefix("k", "/", backend("d", 1, backend.port())))))));
            assertThatThrownBy(() -> new Socket("127.0.0.1", removed).close()).isInstanceOf(ConnectException.class);
            final RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("d");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    /**
     * The drain lands after the response's head went out keep-alive and before its end: the
     * response still completes, and the connection closes right after it instead of waiting for
     * the drain timeout. The backend holds the response's last chunk until the data plane's event
     * loops ran every task submitted before (the drain's among them).
     */
    @Test
    void drainRequestedMidResponseClosesTheConnectionOnceTheResponseEnds() throws Exception {
        final ProxyConfig defaults = ProxyConfig.defaults();
        final DataPlane slowDrain = new DataPlane(new ProxyConfig(0, 2, defaults.maxInitialLineLength(),
                defaults.maxHeaderSize(), defaults.connectTimeout(), defaults.idleTimeout(), Duration.ofSeconds(30)));
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            slowDrain.apply(snapshot(1,
                    http(removed, listener(null, vhost("*", prefix("r", "/", backend("held", 1, held.getLocalPort())))))));
            final Socket client = new Socket("127.0.0.1", removed);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            try (Socket upstream = held.accept()) {
                readThrough(upstream.getInputStream(), "\r\n\r\n");
                upstream.getOutputStream().write(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n".getBytes(StandardCharsets.ISO_8859_1));
                final String head = readThrough(client.getInputStream(), "1\r\na\r\n");
                assertThat(head).doesNotContainIgnoringCase("connection: close");
                slowDrain.apply(snapshot(2));
                // A task on every loop, queued after the drain's: once it ran, the handler was told
                // to drain while its exchange was still in flight.
                assertThat(slowDrain.eventLoopsAnswer(Duration.ofSeconds(5))).isTrue();
                upstream.getOutputStream().write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                readThrough(client.getInputStream(), "0\r\n\r\n");
                final long ended = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat((System.nanoTime() - ended) / 1_000_000).isLessThan(2_000L);
            } finally {
                client.close();
            }
        } finally {
            slowDrain.close();
        }
    }

    /** Reads up to and including {@code end}; what was read. */
    private static String readThrough(InputStream in, String end) throws IOException {
        final ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            final int b = in.read();
            if (b == -1) {
                throw new IOException("closed before '" + end.strip() + "'; read: " + read);
            }
            read.write(b);
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void http2StreamInFlightOnRemovedPortCompletes() throws Exception {
        backend.slowMillis(1000);
        plane.apply(snapshot(1,
                http(removed, listener(null, vhost("*", prefix("r", "/", backend("d", 1, backend.port())))))));
        try (H2cClient client = new H2cClient(removed)) {
            final CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.send(HttpMethod.GET, "/slow", "h", "");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waitForRequests(1);
            plane.apply(snapshot(2));
            // The connection got GOAWAY, but the stream already open runs to completion.
            assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("200 d");
        }
    }

    @Test
    void closeLetsInFlightRequestsFinishAndReturnsAtOnceWhenIdle() throws Exception {
        backend.slowMillis(800);
        plane.apply(snapshot(1,
                http(kept, listener(null, vhost("*", prefix("k", "/", backend("d", 1, backend.port())))))));
        try (RawHttp idle = RawHttp.connect(kept); RawHttp busy = RawHttp.connect(kept)) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            waitForRequests(2);
            final long start = System.nanoTime();
            plane.close();
            final long closeMillis = (System.nanoTime() - start) / 1_000_000;
            final RawHttp.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(idle.closedByPeer()).isTrue();
            assertThat(closeMillis).isBetween(300L, 3000L);
        }
        final DataPlane empty = new DataPlane(ProxyConfig.defaults());
        empty.apply(snapshot(1,
                http(removed, listener(null, vhost("*", prefix("r", "/", backend("d", 1, backend.port())))))));
        try (RawHttp idle = RawHttp.connect(removed)) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            final long start = System.nanoTime();
            empty.close();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500L);
        }
    }

    @Test
    void drainTimeoutForcesRemainingConnectionsClosed() throws Exception {
        backend.slowMillis(10_000);
        plane.apply(snapshot(1,
                http(removed, listener(null, vhost("*", prefix("r", "/", backend("d", 1, backend.port())))))));
        try (RawHttp c = RawHttp.connect(removed)) {
            c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            waitForRequests(1);
            final long start = System.nanoTime();
            plane.apply(snapshot(2));
            assertThat(c.read()).isNull(); // closed without a response once the drain timeout passed
            final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMillis).isBetween(2000L, 8000L);
        }
    }

    private void waitForRequests(int n) throws InterruptedException {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (backend.requestCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(backend.requestCount()).isEqualTo(n);
    }
}
