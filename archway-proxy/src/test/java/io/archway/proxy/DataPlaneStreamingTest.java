package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TestBackend;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Large bodies both ways, and a snapshot swap under an in-flight request. */
class DataPlaneStreamingTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestBackend a;
    private TestBackend b;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        a = new TestBackend("a");
        b = new TestBackend("b");
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
        a.close();
        b.close();
    }

    @Test
    void streamsALargeBodyBothWays() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port())))))));
        final long size = 64L * 1024 * 1024;
        final MessageDigest sent = MessageDigest.getInstance("SHA-256");
        final Supplier<InputStream> body = () -> new PatternStream(size, sent);
        // Chunked upload (no Content-Length), echoed back chunked by the backend.
        final HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        final MessageDigest received = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = response.body()) {
            final byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                received.update(buf, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(received.digest()).isEqualTo(sent.digest());
    }

    @Test
    void swapDuringSlowRequestKeepsItsRouteNextRequestTakesTheNewOne() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port())))))));
        a.slowMillis(1500);
        final CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        // Wait until the slow request reached backend a, then swap the route to b.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.requestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(a.requestCount()).isEqualTo(1);
        plane.apply(snapshot(2, http(port, listener(null, vhost("*", prefix("b", "/", backend("b", 1, b.port())))))));
        assertThat(slow.isDone()).isFalse();
        final HttpResponse<String> next = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(next.body()).isEqualTo("b");
        final HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).isEqualTo("a");
    }

    /** A deterministic byte stream of a given length that digests what it hands out. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private long pos;

        PatternStream(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
        }

        @Override
        public int read() {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            final int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((pos + i) * 31 >>> 3);
            }
            digest.update(b, off, n);
            pos += n;
            return n;
        }
    }
}
