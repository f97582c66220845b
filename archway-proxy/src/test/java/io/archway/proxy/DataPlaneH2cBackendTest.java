package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.H2cBackend;
import io.archway.proxy.testing.H2cClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.Snapshots;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.WeightedBackend;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubernetes.io/h2c backends are spoken to with HTTP/2 prior knowledge, multiplexed, streaming both ways. */
class DataPlaneH2cBackendTest {
    private static final long SIZE = 256L * 1024 * 1024;
    private static final long IN_FLIGHT_BOUND = 64L * 1024 * 1024;
    /**
     * Smaller than {@link #SIZE}: the test backend keeps HTTP/2's default 64 KiB stream window,
     * so an upload crosses it at window-update pace.
     */
    private static final long UPLOAD = 96L * 1024 * 1024;
    private static final long UPLOAD_IN_FLIGHT_BOUND = 32L * 1024 * 1024;

    private static WeightedBackend h2c(H2cBackend backend) {
        return new WeightedBackend(new BackendOrigin("Service", "ns", "h2c", 80), 1, AppProtocol.H2C,
                List.of(new Endpoint("127.0.0.1", backend.port())), null, List.of());
    }

    private static void serve(DataPlane plane, int port, H2cBackend backend) {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                Snapshots.route("h2c", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(), h2c(backend)))))));
    }

    /** The response streams: a client that stops reading closes the h2c stream's window to the backend. */
    @Test
    void aSlowClientPausesTheH2cBackendsResponse() throws Exception {
        final int port = Ports.free();
        try (H2cBackend backend = new H2cBackend(); DataPlane plane = new DataPlane(ProxyConfig.defaults());
             java.net.Socket s = new java.net.Socket()) {
            serve(plane, port, backend);
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write(("GET /big/" + SIZE + " HTTP/1.1\r\nHost: h\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (backend.bytesFlushed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(1500); // the client reads nothing meanwhile
            assertThat(backend.bytesFlushed()).isPositive().isLessThan(IN_FLIGHT_BOUND);
            final java.io.InputStream in = s.getInputStream();
            final StringBuilder head = new StringBuilder();
            int b;
            while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200").contains("content-length: " + SIZE);
            final byte[] buf = new byte[256 * 1024];
            long total = 0;
            int n;
            while (total < SIZE && (n = in.read(buf)) > 0) {
                total += n;
            }
            assertThat(total).isEqualTo(SIZE);
        }
    }

    /** The request streams: an h2c backend that does not read holds the client's upload back. */
    @Test
    void anH2cBackendNotReadingPausesTheClientsUpload() throws Exception {
        final int port = Ports.free();
        try (H2cBackend backend = new H2cBackend(); DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            serve(plane, port, backend);
            uploadAgainstAStalledBackend(port, backend);
        }
    }

    private static void uploadAgainstAStalledBackend(int port, H2cBackend backend) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            final java.io.OutputStream out = s.getOutputStream();
            final Thread writer = new Thread(() -> {
                try {
                    out.write(("POST /stall HTTP/1.1\r\nHost: h\r\nContent-Length: " + UPLOAD + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    final byte[] chunk = new byte[64 * 1024];
                    while (sent.get() < UPLOAD) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                    out.flush();
                } catch (Exception e) {
                    // The assertions below report what arrived.
                }
            });
            writer.start();
            Thread.sleep(1000); // the backend is not reading yet
            assertThat(sent.get()).isLessThan(UPLOAD_IN_FLIGHT_BOUND);
            assertThat(backend.bytesReceived()).isLessThan(UPLOAD_IN_FLIGHT_BOUND);
            final RawHttp.Response response;
            try {
                response = new RawHttp(s).read();
            } catch (java.io.IOException e) {
                throw new AssertionError("no response; client sent " + sent.get() + ", backend received "
                        + backend.bytesReceived(), e);
            }
            writer.join(10_000);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("received=" + UPLOAD);
        }
    }
    private static ProxyConfig oneEventLoop() {
        final ProxyConfig d = ProxyConfig.defaults();
        return new ProxyConfig(0, 1, d.maxInitialLineLength(), d.maxHeaderSize(), d.connectTimeout(), d.idleTimeout(),
                d.drainTimeout());
    }

    @Test
    void proxiesHttp11AndH2cClientsToAnH2cOnlyBackend() throws Exception {
        final int port = Ports.free();
        try (H2cBackend backend = new H2cBackend(); DataPlane plane = new DataPlane(oneEventLoop())) {
            final WeightedBackend h2c = new WeightedBackend(new BackendOrigin("Service", "ns", "h2c", 80), 1,
                    AppProtocol.H2C, List.of(new Endpoint("127.0.0.1", backend.port())), null, List.of());
            plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                    Snapshots.route("h2c", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(), h2c))))));
            try (RawHttp c = RawHttp.connect(port)) {
                for (int i = 0; i < 5; i++) {
                    final RawHttp.Response r = c.send("GET /p" + i + "?q=1 HTTP/1.1\r\nHost: svc.test\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("h2c /p" + i + "?q=1 svc.test");
                }
                final RawHttp.Response echo = c.send("POST /e HTTP/1.1\r\nHost: svc.test\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
                assertThat(echo.body()).isEqualTo("hello");
            }
            // The conformance case: an h2c client through to an h2c backend.
            try (H2cClient client = new H2cClient(port)) {
                assertThat(client.send(HttpMethod.GET, "/", "svc.test", "")).isEqualTo("200 h2c / svc.test");
            }
            // One event loop: every request of both clients shared one multiplexed connection.
            assertThat(backend.connections()).isEqualTo(1);
        }
    }
}
