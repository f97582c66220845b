package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.invalidBackend;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.route;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.proxy.http.h1.Http1Parser;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.RoutingSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Real sockets: routing, weights, local error answers, filters, keep-alive. */
@ParameterizedClass(name = "{0} parser")
@EnumSource(Http1Parser.class)
class DataPlaneRoutingTest {
    private static TestBackend a;
    private static TestBackend b;
    private static HttpClient client;
    private final Http1Parser parser;
    /** The property as the run set it (-Darchway.http1.parser), restored after each test. */
    private String previousParser;
    private DataPlane plane;
    private int port;

    DataPlaneRoutingTest(Http1Parser parser) {
        this.parser = parser;
    }

    @BeforeAll
    static void backends() {
        a = new TestBackend("a");
        b = new TestBackend("b");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
    }

    @BeforeEach
    void start() {
        previousParser = System.setProperty(Http1Parser.PROPERTY, parser.name());
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
    }

    @AfterEach
    void stop() {
        plane.close();
        if (previousParser == null) {
            System.clearProperty(Http1Parser.PROPERTY);
        } else {
            System.setProperty(Http1Parser.PROPERTY, previousParser);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesByPathPrefixOnElementBoundaries() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                prefix("foo", "/foo/", backend("a", 1, a.port())),
                prefix("root", "/", backend("b", 1, b.port())))))));
        assertThat(get("/foo").body()).isEqualTo("a");
        assertThat(get("/foo/bar").body()).isEqualTo("a");
        assertThat(get("/foobar").body()).isEqualTo("b");
        assertThat(get("/").body()).isEqualTo("b");
        assertThat(plane.current().version()).isEqualTo(1);
    }

    @Test
    void dotSegmentsAreRemovedBeforeMatchingAndForwarding() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                prefix("public", "/public", backend("a", 1, a.port())),
                prefix("admin", "/admin", backend("b", 1, b.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response r = c.send("GET /public/../admin/x?q=/../ HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("b");
            assertThat(r.header("x-seen-uri")).isEqualTo("/admin/x?q=/../");
        }
    }

    @Test
    void routesByHostToMostSpecificListenerAndVirtualHost() throws Exception {
        plane.apply(snapshot(1, http(port,
                listener("*.example.com", vhost("*.example.com", prefix("wild", "/", backend("a", 1, a.port())))),
                listener(null,
                        vhost("exact.test", prefix("exact", "/", backend("b", 1, b.port()))),
                        vhost("*.test", prefix("wildtest", "/only", backend("a", 1, a.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: foo.example.com\r\n\r\n").read().body()).isEqualTo("a");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: EXACT.test:8080\r\n\r\n").read().body()).isEqualTo("b");
            // *.test is the most specific virtual host for x.test, and it has no "/" route:
            // there is no fall-through to another virtual host, so 404.
            assertThat(c.send("GET / HTTP/1.1\r\nHost: x.test\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(c.send("GET /only HTTP/1.1\r\nHost: x.test\r\n\r\n").read().body()).isEqualTo("a");
            // No listener at all for this host: *.example.com does not match example.com itself,
            // and the catch-all listener has no virtual host for it.
            assertThat(c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").read().status()).isEqualTo(404);
        }
    }

    @Test
    void splitsTrafficByWeightAndNeverPicksWeightZero() throws Exception {
        try (TestBackend zero = new TestBackend("zero")) {
            plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("w", "/",
                    backend("a", 1, a.port()), backend("b", 3, b.port()), backend("zero", 0, zero.port())))))));
            final Map<String, Integer> counts = new TreeMap<>();
            for (int i = 0; i < 400; i++) {
                counts.merge(get("/").body(), 1, Integer::sum);
            }
            assertThat(counts).doesNotContainKey("zero");
            // Expected 100 / 300; 5 sigma of a binomial(400, 0.25) is about 43.
            assertThat(counts.get("a")).isBetween(57, 143);
            assertThat(counts.get("b")).isBetween(257, 343);
            assertThat(zero.connections()).isZero();
        }
    }

    @Test
    void invalidBackendGetsItsShareOfTrafficAnswered500() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("mixed", "/",
                backend("a", 3, a.port()), invalidBackend("missing")))))));
        final Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 400; i++) {
            statuses.merge(get("/").statusCode(), 1, Integer::sum);
        }
        assertThat(statuses).containsOnlyKeys(200, 500);
        // Expected 300 / 100 (weights 3 and 1); 5 sigma is about 43.
        assertThat(statuses.get(500)).isBetween(57, 143);
    }

    @Test
    void answersLocalErrors() throws Exception {
        final int refused = Ports.free();
        try (ServerSocket closer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Thread t = new Thread(() -> {
                while (!closer.isClosed()) {
                    try {
                        closer.accept().close(); // reset/close before any response
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                    prefix("none", "/none"),
                    prefix("zero", "/zero", backend("a", 0, a.port())),
                    prefix("invalid", "/invalid", invalidBackend("missing")),
                    prefix("noeps", "/noeps", backend("empty", 1)),
                    prefix("refused", "/refused", backend("refused", 1, refused)),
                    prefix("closed", "/closed", backend("closed", 1, closer.getLocalPort())),
                    prefix("ok", "/ok", backend("a", 1, a.port())))))));
            assertThat(get("/none").statusCode()).isEqualTo(500);
            assertThat(get("/zero").statusCode()).isEqualTo(500);
            assertThat(get("/invalid").statusCode()).isEqualTo(500);
            assertThat(get("/noeps").statusCode()).isEqualTo(503);
            assertThat(get("/refused").statusCode()).isEqualTo(503);
            assertThat(get("/closed").statusCode()).isEqualTo(502);
            assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
            assertThat(get("/ok").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void hungBackendIsAnswered504AfterTheIdleTimeout() throws Exception {
        try (TestBackend hung = new TestBackend("hung")) {
            hung.slowMillis(5000);
            final ProxyConfig d = ProxyConfig.defaults();
            final DataPlane quick = new DataPlane(new ProxyConfig(0, 1, d.maxInitialLineLength(), d.maxHeaderSize(),
                    d.connectTimeout(), Duration.ofMillis(500), d.drainTimeout()));
            final int quickPort = Ports.free();
            try {
                quick.apply(snapshot(1, http(quickPort, listener(null, vhost("*", prefix("h", "/",
                        backend("hung", 1, hung.port())))))));
                try (RawHttp c = RawHttp.connect(quickPort)) {
                    final long start = System.nanoTime();
                    final RawHttp.Response r = c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(504);
                    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 3000L);
                    // The connection stays usable.
                    assertThat(c.send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("hung");
                }
            } finally {
                quick.close();
            }
        }
    }

    @Test
    void appliesHeaderFiltersRewritesAndForwardingHeaders() throws Exception {
        final HttpFilter requestMod = new HttpFilter.RequestHeaderModifier(new HeaderEdits(
                List.of(new Header("X-Set", "set")), List.of(new Header("X-Add", "added")), List.of("X-Remove")));
        final HttpFilter responseMod = new HttpFilter.ResponseHeaderModifier(new HeaderEdits(
                List.of(new Header("X-Resp", "r")), List.of(), List.of("x-seen-uri")));
        final HttpFilter rewrite = new HttpFilter.UrlRewrite("rewritten.test",
                new io.archway.snapshot.PathModifier(io.archway.snapshot.PathModifier.Type.REPLACE_PREFIX_MATCH, "/new"));
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                route("mod", new PathMatch(PathMatch.Type.PATH_PREFIX, "/old"), List.of(requestMod, responseMod),
                        backend("a", 1, a.port())),
                route("rw", new PathMatch(PathMatch.Type.PATH_PREFIX, "/rw"), List.of(rewrite),
                        backend("b", 1, b.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response r = c.send("GET /old/x?q=1 HTTP/1.1\r\nHost: h.test\r\nX-Add: first\r\n"
                    + "X-Remove: gone\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-resp")).isEqualTo("r");
            assertThat(r.header("x-seen-uri")).isNull();
            final var seen = a.lastRequest().headers();
            assertThat(seen.get("x-set")).isEqualTo("set");
            assertThat(seen.get("x-add")).isEqualTo("first,added");
            assertThat(seen.contains("x-remove")).isFalse();
            assertThat(seen.contains("x-hop")).isFalse();
            assertThat(seen.get("host")).isEqualTo("h.test");
            assertThat(seen.get("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
            assertThat(seen.get("x-forwarded-proto")).isEqualTo("http");
            assertThat(a.lastRequest().uri()).isEqualTo("/old/x?q=1");

            final RawHttp.Response rw = c.send("GET /rw/deep/path?z=2 HTTP/1.1\r\nHost: h.test\r\n\r\n").read();
            assertThat(rw.header("x-seen-host")).isEqualTo("rewritten.test");
            assertThat(rw.header("x-seen-uri")).isEqualTo("/new/deep/path?z=2");
        }
    }

    @Test
    void redirectsWithSpecPortNotBoundPort() throws Exception {
        final DataPlane offset = new DataPlane(ProxyConfig.defaults().withPortOffset(port - 8080));
        try {
            offset.apply(snapshot(1, http(8080, listener(null, vhost("*",
                    route("r", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"),
                            List.of(new HttpFilter.RequestRedirect(null, "other.test", null, null, 301))))))));
            try (RawHttp c = RawHttp.connect(port)) {
                final RawHttp.Response r = c.send("GET /p?x=1 HTTP/1.1\r\nHost: h.test:" + port + "\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(301);
                assertThat(r.header("location")).isEqualTo("http://other.test:8080/p?x=1");
            }
        } finally {
            offset.close();
        }
    }

    @Test
    void reusesUpstreamConnectionsAcrossRequests() throws Exception {
        try (TestBackend counted = new TestBackend("counted")) {
            plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("c", "/",
                    backend("counted", 1, counted.port())))))));
            try (RawHttp c = RawHttp.connect(port)) {
                for (int i = 0; i < 20; i++) {
                    assertThat(c.send("GET /" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("counted");
                }
            }
            assertThat(counted.requestCount()).isEqualTo(20);
            assertThat(counted.connections()).isEqualTo(1);
        }
    }

    @Test
    void headResponseHasNoBodyAndKeepsTheConnectionUsable() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response head = c.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("1");
            // Reading the next response would be garbled if HEAD had carried a body.
            final RawHttp.Response get = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(get.body()).isEqualTo("a");
        }
    }

    @Test
    void retriesOnceWhenAReusedConnectionWasClosedByTheBackend() throws Exception {
        try (TestBackend closing = new TestBackend("closing")) {
            plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("c", "/",
                    backend("closing", 1, closing.port())))))));
            try (RawHttp c = RawHttp.connect(port)) {
                for (int i = 0; i < 30; i++) {
                    // /close answers keep-alive but closes right after: the pooled connection is
                    // stale when the next request picks it up.
                    final RawHttp.Response r = c.send("GET /close HTTP/1.1\r\nHost: h\r\n\r\n"
                            + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(c.read().status()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void reframesACloseDelimitedHttp10ResponseAsChunked() throws Exception {
        try (ServerSocket old = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Thread t = new Thread(() -> {
                while (!old.isClosed()) {
                    try (java.net.Socket s = old.accept()) {
                        final java.io.InputStream in = s.getInputStream();
                        final StringBuilder head = new StringBuilder();
                        while (!head.toString().endsWith("\r\n\r\n")) {
                            head.append((char) in.read());
                        }
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\nX-Old: 1\r\n\r\nclose-delimited body"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("old", "/",
                    backend("old", 1, old.getLocalPort())))))));
            try (RawHttp c = RawHttp.connect(port)) {
                for (int i = 0; i < 2; i++) {
                    final RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
                    assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
                    assertThat(r.header("connection")).isNull();
                    assertThat(r.body()).isEqualTo("close-delimited body");
                }
            }
            // An HTTP/1.0 client cannot take chunked: the body is delimited by closing instead.
            try (RawHttp c = RawHttp.connect(port)) {
                final RawHttp.Response r = c.send("GET / HTTP/1.0\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(r.header("transfer-encoding")).isNull();
                assertThat(r.body()).isEqualTo("close-delimited body");
            }
        }
    }

    @Test
    void clientConnectionCloseClosesAfterTheProxiedResponse() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("a");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        // The upstream connection was not closed for it: Connection is hop-by-hop.
        assertThat(a.lastRequest().headers().contains("connection")).isFalse();
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                prefix("a", "/a", backend("a", 1, a.port())),
                prefix("b", "/b", backend("b", 1, b.port())))))));
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /missing HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("a");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().body()).isEqualTo("b");
        }
    }

    @Test
    void bindFailureKeepsPreviousSnapshotServing() throws Exception {
        final RoutingSnapshot first = snapshot(1, http(port, listener(null, vhost("*", prefix("a", "/",
                backend("a", 1, a.port()))))));
        plane.apply(first);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final RoutingSnapshot second = snapshot(2,
                    http(port, listener(null, vhost("*", prefix("b", "/", backend("b", 1, b.port()))))),
                    http(taken.getLocalPort(), listener(null, vhost("*", prefix("b", "/", backend("b", 1, b.port()))))));
            assertThatThrownBy(() -> plane.apply(second)).isInstanceOf(UncheckedIOException.class);
        }
        assertThat(plane.current().version()).isEqualTo(1);
        assertThat(get("/").body()).isEqualTo("a");
    }

    @Test
    void removedPortStopsAcceptingAndKeptPortIsNotRebound() throws Exception {
        final int second = Ports.free();
        plane.apply(snapshot(1,
                http(port, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port()))))),
                http(second, listener(null, vhost("*", prefix("a", "/", backend("a", 1, a.port())))))));
        try (RawHttp kept = RawHttp.connect(port); RawHttp removed = RawHttp.connect(second)) {
            assertThat(kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("a");
            assertThat(removed.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("a");
            plane.apply(snapshot(2, http(port, listener(null, vhost("*", prefix("b", "/",
                    backend("b", 1, b.port())))))));
            // The kept port's existing connection now routes on the new snapshot.
            assertThat(kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("b");
            // The removed port's idle connection was closed by the drain.
            assertThat(removed.closedByPeer()).isTrue();
        }
        assertThatThrownBy(() -> RawHttp.connect(second).send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read())
                .isInstanceOf(IOException.class);
    }
}
