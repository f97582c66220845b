package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.ScriptedBackend;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.RetryPolicy;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RouteTimeouts;
import io.archway.snapshot.WeightedBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-request router over real sockets: rule request and backendRequest timeouts, the retry
 * policy (status codes, connection errors, attempts, the bounded replay buffer) and request
 * mirrors (a copy with its body, exactly once, never slowing or failing the client, dropped
 * when it cannot keep up). Paranoid leak detection: the replay buffer's and mirrors' body copies
 * must all be released, whichever way a request ends.
 */
@ExtendWith(LeakCheck.PerClass.class)
class DataPlaneRouterTest {
    private static final Duration NO_BACKOFF = Duration.ofMillis(1);
    private final List<ScriptedBackend> backends = new ArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger mirrorDrops = new AtomicInteger();
    private final AtomicInteger timeouts = new AtomicInteger();
    private DataPlane plane;
    private int port;
    private HttpClient client;

    @BeforeEach
    void start() {
        plane = new DataPlane(ProxyConfig.defaults(), new TrafficObserver() {
            @Override
            public void upstreamRetry(BackendOrigin backend) {
                retries.incrementAndGet();
            }

            @Override
            public void mirrorDropped(BackendOrigin mirror) {
                mirrorDrops.incrementAndGet();
            }

            @Override
            public void upstreamTimeout(BackendOrigin backend) {
                timeouts.incrementAndGet();
            }
        });
        port = Ports.free();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        plane.close();
        backends.forEach(ScriptedBackend::close);
    }

    private ScriptedBackend backendServer(String name) {
        final ScriptedBackend b = new ScriptedBackend(name);
        backends.add(b);
        return b;
    }

    private void serve(RouteTimeouts timeouts, RetryPolicy retry, List<HttpFilter> filters, WeightedBackend backend) {
        final HttpRouteEntry entry = new HttpRouteEntry(new RouteOrigin("HTTPRoute", "ns", "r", 0, null, 0),
                new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null, List.of(), List.of()),
                filters, List.of(backend), timeouts, retry);
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", entry)))));
    }

    private static WeightedBackend endpoints(String name, ScriptedBackend... servers) {
        return backend(name, 1, Arrays.stream(servers).mapToInt(ScriptedBackend::port).toArray());
    }

    private static HttpFilter mirror(ScriptedBackend server) {
        return new HttpFilter.RequestMirror(backend("mirror", 1, server.port()), 1, 1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    // ---- timeouts ----------------------------------------------------------------------------------

    @Test
    void theRequestTimeoutAnswers504AndFreesTheUpstreamConnection() throws Exception {
        final ScriptedBackend slow = backendServer("slow").delayMillis(5000);
        serve(new RouteTimeouts(Duration.ofMillis(300), null), null, List.of(), endpoints("b", slow));
        final long t0 = System.nanoTime();
        final HttpResponse<String> res = get("/x");
        final long took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(res.statusCode()).isEqualTo(504);
        assertThat(took).isBetween(250L, 3000L);
        assertThat(slow.received()).hasSize(1);
        await("the slow backend's connection to close", () -> slow.openConnections() == 0);
        assertThat(timeouts.get()).isEqualTo(1);
    }

    @Test
    void aZeroRequestTimeoutIsDisabled() throws Exception {
        final ScriptedBackend slow = backendServer("slow").delayMillis(400);
        serve(new RouteTimeouts(Duration.ZERO, Duration.ZERO), null, List.of(), endpoints("b", slow));
        assertThat(get("/x").statusCode()).isEqualTo(200);
    }

    @Test
    void theRequestTimeoutCoversEveryAttempt() throws Exception {
        final ScriptedBackend slow1 = backendServer("slow1").delayMillis(5000);
        final ScriptedBackend slow2 = backendServer("slow2").delayMillis(5000);
        serve(new RouteTimeouts(Duration.ofMillis(700), Duration.ofMillis(300)),
                new RetryPolicy(List.of(), 5, NO_BACKOFF), List.of(), endpoints("b", slow1, slow2));
        final long t0 = System.nanoTime();
        assertThat(get("/x").statusCode()).isEqualTo(504);
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(600L, 3000L);
        // 300 ms per attempt within 700 ms: a retry ran, and the third attempt (if it got out at all
        // on a loaded box) was cut short by the request timeout, not the 5 attempts allowed
        assertThat(slow1.received().size() + slow2.received().size()).isBetween(2, 3);
        assertThat(retries.get()).isBetween(1, 2);
        await("both backends' connections to close", () -> slow1.openConnections() + slow2.openConnections() == 0);
    }

    @Test
    void aBackendTimeoutIsRetriedOnTheNextEndpoint() throws Exception {
        final ScriptedBackend slow = backendServer("slow").delayMillis(5000);
        final ScriptedBackend fast = backendServer("fast");
        // 1 s per try: the second try must fit in it even on a loaded CI box (300 ms failed once there).
        serve(new RouteTimeouts(null, Duration.ofMillis(1000)), new RetryPolicy(List.of(), 1, NO_BACKOFF), List.of(),
                endpoints("b", slow, fast));
        final HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("fast");
        assertThat(retries.get()).isEqualTo(1);
    }

    @Test
    void aBackendTimeoutWithoutRetryIs504() throws Exception {
        final ScriptedBackend slow = backendServer("slow").delayMillis(5000);
        serve(new RouteTimeouts(null, Duration.ofMillis(200)), null, List.of(), endpoints("b", slow));
        assertThat(get("/x").statusCode()).isEqualTo(504);
        await("the slow backend's connection to close", () -> slow.openConnections() == 0);
    }

    // ---- retries -----------------------------------------------------------------------------------

    @Test
    void aRetryOn503ReachesASecondEndpoint() throws Exception {
        final ScriptedBackend failing = backendServer("failing").status(503);
        final ScriptedBackend ok = backendServer("ok");
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(503), 1, NO_BACKOFF), List.of(),
                endpoints("b", failing, ok));
        final HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("ok");
        assertThat(failing.received()).hasSize(1);
        assertThat(ok.received()).hasSize(1);
        assertThat(retries.get()).isEqualTo(1);
    }

    @Test
    void whenAttemptsRunOutTheLastAnswerGoesToTheClient() throws Exception {
        final ScriptedBackend failing = backendServer("failing").status(500);
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(500), 2, NO_BACKOFF), List.of(),
                endpoints("b", failing));
        final HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(500);
        assertThat(res.body()).isEqualTo("failing");
        assertThat(failing.received()).hasSize(3);
    }

    @Test
    void aStatusNotInTheCodesIsNotRetried() throws Exception {
        final ScriptedBackend failing = backendServer("failing").status(503);
        final ScriptedBackend ok = backendServer("ok");
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(500), 3, NO_BACKOFF), List.of(),
                endpoints("b", failing, ok));
        assertThat(get("/x").statusCode()).isEqualTo(503);
        assertThat(ok.received()).isEmpty();
    }

    @Test
    void aRefusedConnectionIsRetried() throws Exception {
        final ScriptedBackend ok = backendServer("ok");
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(), 1, NO_BACKOFF), List.of(),
                backend("b", 1, Ports.free(), ok.port()));
        final HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("ok");
    }

    @Test
    void aPostIsRetriedWithItsWholeBody() throws Exception {
        final ScriptedBackend failing = backendServer("failing").status(503);
        final ScriptedBackend ok = backendServer("ok");
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(503), 1, NO_BACKOFF), List.of(),
                endpoints("b", failing, ok));
        final String body = "x".repeat(20_000);
        assertThat(post("/upload", body.getBytes()).statusCode()).isEqualTo(200);
        assertThat(failing.received()).extracting(ScriptedBackend.Received::body).containsExactly(body);
        assertThat(ok.received()).extracting(ScriptedBackend.Received::body).containsExactly(body);
    }

    @Test
    void aPostWhoseBodyOutgrewTheReplayBufferIsNotRetried() throws Exception {
        final ScriptedBackend failing = backendServer("failing").status(503);
        final ScriptedBackend ok = backendServer("ok");
        serve(RouteTimeouts.NONE, new RetryPolicy(List.of(503), 1, NO_BACKOFF), List.of(),
                endpoints("b", failing, ok));
        final byte[] body = new byte[200 * 1024];
        final HttpResponse<String> res = post("/upload", body);
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).isEqualTo("failing");
        assertThat(failing.received()).extracting(r -> r.body().length()).containsExactly(body.length);
        assertThat(ok.received()).isEmpty();
        assertThat(retries.get()).isZero();
    }

    // ---- mirrors -----------------------------------------------------------------------------------

    @Test
    void aMirrorGetsOneCopyOfEachRequestBodyIncluded() throws Exception {
        final ScriptedBackend prod = backendServer("prod");
        final ScriptedBackend shadow = backendServer("shadow");
        serve(RouteTimeouts.NONE, null, List.of(mirror(shadow)), endpoints("b", prod));
        final HttpResponse<String> res = post("/orders?id=7", "payload".getBytes());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("prod");
        assertThat(get("/health").body()).isEqualTo("prod");
        await("two mirrored requests", () -> shadow.received().size() == 2);
        Thread.sleep(200); // nothing more arrives
        assertThat(shadow.received()).extracting(r -> r.method() + " " + r.uri() + " " + r.body())
                .containsExactly("POST /orders?id=7 payload", "GET /health ");
        assertThat(prod.received()).hasSize(2);
    }

    @Test
    void aSlowMirrorDoesNotSlowTheClientAndAFailingOneDoesNotFailIt() throws Exception {
        final ScriptedBackend prod = backendServer("prod");
        final ScriptedBackend slow = backendServer("slow").delayMillis(3000);
        final ScriptedBackend broken = backendServer("broken").status(500);
        serve(RouteTimeouts.NONE, null, List.of(mirror(slow), mirror(broken),
                new HttpFilter.RequestMirror(backend("nothing-listens", 1, Ports.free()), 1, 1)), endpoints("b", prod));
        final long t0 = System.nanoTime();
        final HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("prod");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1500L);
        await("the mirrors to receive their copies", () -> slow.received().size() == 1 && broken.received().size() == 1);
    }

    @Test
    void aMirrorThatCannotKeepUpIsDroppedAndCounted() throws Exception {
        final ScriptedBackend prod = backendServer("prod");
        final ScriptedBackend stalled = backendServer("stalled").stalled();
        serve(RouteTimeouts.NONE, null, List.of(mirror(stalled)), endpoints("b", prod));
        final byte[] body = new byte[12 * 1024 * 1024];
        final HttpResponse<String> res = post("/upload", body);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(prod.received()).extracting(r -> r.body().length()).containsExactly(body.length);
        assertThat(mirrorDrops.get()).isEqualTo(1);
        await("the dropped mirror's connection to close", () -> stalled.openConnections() == 0);
    }

    @Test
    void aZeroFractionNeverMirrors() throws Exception {
        final ScriptedBackend prod = backendServer("prod");
        final ScriptedBackend shadow = backendServer("shadow");
        serve(RouteTimeouts.NONE, null, List.of(new HttpFilter.RequestMirror(backend("m", 1, shadow.port()), 0, 100)),
                endpoints("b", prod));
        for (int i = 0; i < 20; i++) {
            assertThat(get("/x").statusCode()).isEqualTo(200);
        }
        Thread.sleep(100);
        assertThat(shadow.received()).isEmpty();
    }
}
