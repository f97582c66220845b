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
import java.net.ConnectException;
import java.net.Socket;
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
