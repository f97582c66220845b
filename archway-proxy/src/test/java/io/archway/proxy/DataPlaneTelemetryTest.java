package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.invalidBackend;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.H2cClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link TrafficObserver} and the JSON access log, over real sockets. */
class DataPlaneTelemetryTest {
    /** Records every call as one line, e.g. {@code request HTTPRoute ns/r-a ns/a 200}. */
    static final class Recorder implements TrafficObserver {
        final Queue<String> events = new ConcurrentLinkedQueue<>();
        final Queue<Long> durations = new ConcurrentLinkedQueue<>();

        @Override
        public void requestCompleted(RouteOrigin route, BackendOrigin backend, int status, long durationNanos) {
            events.add("request " + (route == null ? "-" : route.kind() + " " + route.namespace() + "/" + route.name())
                    + " " + (backend == null ? "-" : backend.namespace() + "/" + backend.name()) + " " + status);
            durations.add(durationNanos);
        }

        @Override
        public void upstreamConnectError(BackendOrigin backend) {
            events.add("connect-error " + backend.name());
        }

        @Override
        public void upstreamTimeout(BackendOrigin backend) {
            events.add("timeout " + backend.name());
        }

        @Override
        public void connectionOpened(int listenerPort) {
            events.add("conn+ " + listenerPort);
        }

        @Override
        public void connectionClosed(int listenerPort) {
            events.add("conn- " + listenerPort);
        }

        @Override
        public void streamOpened(int listenerPort) {
            events.add("stream+ " + listenerPort);
        }

        @Override
        public void streamClosed(int listenerPort) {
            events.add("stream- " + listenerPort);
        }

        long count(String event) {
            return events.stream().filter(event::equals).count();
        }

        void await(String event, long times) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (count(event) < times && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(count(event)).as(event + " in " + events).isEqualTo(times);
        }
    }

    @TempDir
    Path dir;
    private TestBackend a;
    private DataPlane plane;
    private final Recorder recorder = new Recorder();
    private int port;
    private int downPort;
    private Path log;

    @BeforeEach
    void start() {
        a = new TestBackend("a");
        port = Ports.free();
        downPort = Ports.free(); // nothing listens there
        log = dir.resolve("access.log");
        plane = new DataPlane(ProxyConfig.defaults().withAccessLog(log.toString()), recorder);
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                prefix("r-a", "/a", backend("a", 1, a.port())),
                prefix("r-slow", "/slow", backend("a", 1, a.port())),
                prefix("r-down", "/down", backend("down", 1, downPort)),
                prefix("r-invalid", "/invalid", invalidBackend("gone")),
                prefix("r-none", "/none"))))));
    }

    @AfterEach
    void stop() {
        if (plane != null) {
            plane.close();
        }
        a.close();
    }

    @Test
    void reportsEachRequestWithRouteBackendAndStatusOnceWritten() throws Exception {
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("GET /a/1?q=x HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.send("GET /a/2 HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.send("GET /nowhere HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(c.send("GET /down HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(503);
            assertThat(c.send("GET /invalid HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(500);
            assertThat(c.send("GET /none HTTP/1.1\r\nHost: shop.example\r\n\r\n").read().status()).isEqualTo(500);
            recorder.await("conn+ " + port, 1);
        }
        recorder.await("request HTTPRoute ns/r-a ns/a 200", 2);
        recorder.await("request - - 404", 1);
        recorder.await("request HTTPRoute ns/r-down ns/down 503", 1);
        recorder.await("connect-error down", 1);
        recorder.await("request HTTPRoute ns/r-invalid ns/gone 500", 1);
        recorder.await("request HTTPRoute ns/r-none - 500", 1);
        recorder.await("conn- " + port, 1);
        assertThat(recorder.durations).allMatch(d -> d > 0 && d < Duration.ofSeconds(5).toNanos());
        assertThat(recorder.events).noneMatch(e -> e.startsWith("timeout") || e.startsWith("stream"));

        // The access log: one JSON line per request, written by its own thread.
        List<String> lines = awaitLines(6);
        assertThat(lines.get(0)).startsWith("{\"time\":\"20").contains("\"client\":\"127.0.0.1:")
                .contains("\"protocol\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"shop.example\",\"path\":\"/a/1?q=x\"")
                .contains("\"status\":200,\"bytes\":1,\"duration_ms\":")
                .contains("\"route\":{\"kind\":\"HTTPRoute\",\"namespace\":\"ns\",\"name\":\"r-a\",\"rule\":\"0\","
                        + "\"match\":0},\"backend\":\"ns/a:80\",\"endpoint\":\"127.0.0.1:" + a.port() + "\"")
                .containsPattern("\"upstream_connect_ms\":\\d+\\.\\d{3},\"upstream_first_byte_ms\":\\d+\\.\\d{3}")
                .endsWith(",\"outcome\":\"completed\"}");
        assertThat(lines).anyMatch(l -> l.contains("\"path\":\"/nowhere\"") && l.contains("\"status\":404")
                && l.contains("\"route\":null,\"backend\":null,\"endpoint\":null") && l.contains("\"outcome\":\"local\""));
        assertThat(lines).anyMatch(l -> l.contains("\"path\":\"/down\"") && l.contains("\"status\":503")
                && l.contains("\"backend\":\"ns/down:80\",\"endpoint\":\"127.0.0.1:" + downPort + "\"")
                && l.contains("\"upstream_connect_ms\":null") && l.contains("\"outcome\":\"failed\""));
        assertThat(plane.accessLogDropped()).isZero();
    }

    @Test
    void anUpstreamThatSendsNothingIsATimeout() throws Exception {
        plane.close();
        plane = new DataPlane(new ProxyConfig(0, 0, 8192, 16384, Duration.ofSeconds(2), Duration.ofMillis(300),
                Duration.ofSeconds(1)), recorder);
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("r-slow", "/slow",
                backend("a", 1, a.port())))))));
        a.slowMillis(3_000);
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(504);
        }
        recorder.await("timeout a", 1);
        recorder.await("request HTTPRoute ns/r-slow ns/a 504", 1);
    }

    @Test
    void http2StreamsAreCountedPerListenerPort() throws Exception {
        try (H2cClient h2 = new H2cClient(port)) {
            assertThat(h2.send(HttpMethod.GET, "/a", "x", "")).isEqualTo("200 a");
            assertThat(h2.send(HttpMethod.GET, "/nowhere", "x", "")).startsWith("404");
            recorder.await("stream+ " + port, 2);
            recorder.await("stream- " + port, 2);
            recorder.await("request HTTPRoute ns/r-a ns/a 200", 1);
        }
        recorder.await("conn- " + port, 1);
        assertThat(awaitLines(2)).anyMatch(l -> l.contains("\"protocol\":\"HTTP/2\"") && l.contains("\"path\":\"/a\""));
    }

    @Test
    void withoutAnObserverNothingIsReported() throws Exception {
        plane.close();
        plane = new DataPlane(ProxyConfig.defaults());
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("r-a", "/a", backend("a", 1, a.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        }
        Predicate<String> request = e -> e.startsWith("request");
        assertThat(recorder.events.stream().filter(request)).isEmpty();
        assertThat(plane.accessLogDropped()).isZero();
    }

    private List<String> awaitLines(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= n) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(lines).as("access log lines").hasSizeGreaterThanOrEqualTo(n);
        return lines;
    }
}
