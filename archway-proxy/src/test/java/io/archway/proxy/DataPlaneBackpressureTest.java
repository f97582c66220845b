package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies are streamed with backpressure, never buffered whole: while one side does not read, the
 * other side stops being read too, so only socket buffers and a watermark's worth are in flight.
 * The bounds are far below the body size, so a proxy that buffered would fail them.
 */
class DataPlaneBackpressureTest {
    private static final long SIZE = 256L * 1024 * 1024;
    private static final long IN_FLIGHT_BOUND = 64L * 1024 * 1024;

    private TestBackend backend;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        backend = new TestBackend("bp");
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("bp", "/",
                backend("bp", 1, backend.port())))))));
    }

    @AfterEach
    void stop() {
        plane.close();
        backend.close();
    }

    @Test
    void slowClientPausesTheBackendResponse() throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write(("GET /big/" + SIZE + " HTTP/1.1\r\nHost: h\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1500); // the client reads nothing meanwhile
            final long flushedWhileStalled = backend.bytesFlushed();
            assertThat(flushedWhileStalled).isPositive().isLessThan(IN_FLIGHT_BOUND);
            // Reading resumes the flow: the whole body arrives.
            final InputStream in = s.getInputStream();
            final byte[] buf = new byte[256 * 1024];
            long total = 0;
            int n;
            boolean headerDone = false;
            final StringBuilder head = new StringBuilder();
            while (!headerDone && (n = in.read()) >= 0) {
                head.append((char) n);
                headerDone = head.toString().endsWith("\r\n\r\n");
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200").contains("content-length: " + SIZE);
            while (total < SIZE && (n = in.read(buf)) > 0) {
                total += n;
            }
            assertThat(total).isEqualTo(SIZE);
        }
    }

    @Test
    void backendNotReadingPausesTheClientUpload() throws Exception {
        backend.slowMillis(1500);
        try (Socket s = new Socket("127.0.0.1", port)) {
            final AtomicLong sent = new AtomicLong();
            final OutputStream out = s.getOutputStream();
            final Thread writer = new Thread(() -> {
                try {
                    out.write(("POST /stall HTTP/1.1\r\nHost: h\r\nContent-Length: " + SIZE + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    final byte[] chunk = new byte[64 * 1024];
                    while (sent.get() < SIZE) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                    out.flush();
                } catch (Exception e) {
                    // The assertion below reports what arrived.
                }
            });
            writer.start();
            Thread.sleep(1000); // the backend is not reading yet
            assertThat(sent.get()).isLessThan(IN_FLIGHT_BOUND);
            final RawHttp.Response response = new RawHttp(s).read();
            writer.join(10_000);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("received=" + SIZE);
        }
    }
}
