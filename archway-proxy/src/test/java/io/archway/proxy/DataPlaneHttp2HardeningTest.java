package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawH2;
import io.archway.proxy.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Downstream HTTP/2 held to what HTTP/1.1 gets: an HTTP/1.1 Upgrade to h2c on the same listener,
 * RFC 9113 section 8 malformed requests answered with a stream error and never forwarded, flow
 * control end to end (a client that does not read stops the backend), GOAWAY on drain.
 */
class DataPlaneHttp2HardeningTest {
    private static final long SIZE = 256L * 1024 * 1024;
    private static final long IN_FLIGHT_BOUND = 64L * 1024 * 1024;
    private static final long PROTOCOL_ERROR = 1;

    private TestBackend backend;
    private DataPlane plane;
    private int port;

    @BeforeEach
    void start() {
        backend = new TestBackend("h2");
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
        plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("r", "/",
                backend("h2", 1, backend.port())))))));
    }

    @AfterEach
    void stop() {
        plane.close();
        backend.close();
    }

    /** The JDK client asks http:// URIs for HTTP/2 with {@code Upgrade: h2c}; later requests reuse the connection. */
    @Test
    void upgradesHttp11ToH2cOnTheSameListener() throws Exception {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        final HttpResponse<String> first = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/up?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("h2");
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(backend.lastRequest().uri()).isEqualTo("/up?x=1");
        assertThat(backend.lastRequest().headers().contains("upgrade")).isFalse();
        assertThat(backend.lastRequest().headers().contains("http2-settings")).isFalse();
        final HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/echo")).POST(HttpRequest.BodyPublishers.ofString("ping"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(post.body()).isEqualTo("ping");
        assertThat(backend.requestCount()).isEqualTo(2);
    }

    /** RFC 9113 section 8.2 / 8.3: each request is malformed; a stream error, never the backend. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing :path          | :method,GET,:scheme,http,:authority,h",
        "missing :method        | :scheme,http,:path,/,:authority,h",
        "missing :scheme        | :method,GET,:path,/,:authority,h",
        "empty :path            | :method,GET,:scheme,http,:path,,:authority,h",
        "duplicate :path        | :method,GET,:scheme,http,:path,/,:path,/x,:authority,h",
        "duplicate :method      | :method,GET,:method,POST,:scheme,http,:path,/,:authority,h",
        "unknown pseudo-header  | :method,GET,:scheme,http,:path,/,:authority,h,:foo,bar",
        "response pseudo-header | :method,GET,:scheme,http,:path,/,:authority,h,:status,200",
        "pseudo after regular   | :method,GET,:scheme,http,:authority,h,x-a,1,:path,/",
        "upper-case name        | :method,GET,:scheme,http,:path,/,:authority,h,X-Upper,1",
        "connection             | :method,GET,:scheme,http,:path,/,:authority,h,connection,keep-alive",
        "transfer-encoding      | :method,GET,:scheme,http,:path,/,:authority,h,transfer-encoding,chunked",
        "keep-alive             | :method,GET,:scheme,http,:path,/,:authority,h,keep-alive,timeout=5",
        "proxy-connection       | :method,GET,:scheme,http,:path,/,:authority,h,proxy-connection,keep-alive",
        "upgrade                | :method,GET,:scheme,http,:path,/,:authority,h,upgrade,websocket",
        "te other than trailers | :method,GET,:scheme,http,:path,/,:authority,h,te,gzip",
        "content-length not a number | :method,GET,:scheme,http,:path,/,:authority,h,content-length,abc",
        "content-length without DATA | :method,POST,:scheme,http,:path,/,:authority,h,content-length,5",
        "two content-lengths    | :method,GET,:scheme,http,:path,/,:authority,h,content-length,0,content-length,1",
        "CONNECT with :path     | :method,CONNECT,:authority,h:443,:path,/",
    })
    void malformedRequestHeadersGetAStreamErrorAndNeverReachTheBackend(String name, String fields) throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.headers(1, true, fields.split(",", -1));
            assertThat(c.outcome(1)).as(name).isIn("reset " + PROTOCOL_ERROR, "status 400");
            // The connection survives a stream error: the next stream is served.
            c.get(3, "/after");
            assertThat(c.outcome(3)).isEqualTo("status 200");
        }
        assertThat(backend.requestCount()).as(name).isEqualTo(1);
        assertThat(backend.lastRequest().uri()).isEqualTo("/after");
    }

    @Test
    void teTrailersIsAllowedAndConnectIsAnswered405() throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.get(1, "/te", "te", "trailers");
            assertThat(c.outcome(1)).isEqualTo("status 200");
            c.headers(3, true, ":method", "CONNECT", ":authority", "backend.test:443");
            assertThat(c.outcome(3)).isEqualTo("status 405");
        }
        assertThat(backend.requestCount()).isEqualTo(1);
    }

    /** Section 8.1: trailers carry no pseudo-header; the body already forwarded is abandoned. */
    @Test
    void trailersWithAPseudoHeaderAreAStreamError() throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/stall", ":authority", "h");
            c.data(1, new byte[3], false);
            c.headers(1, true, ":path", "/other");
            assertThat(c.outcome(1)).isIn("reset " + PROTOCOL_ERROR, "status 400");
        }
    }

    /** RFC 9113 section 8.1.1: content-length must equal the DATA received; a mismatch is a stream error. */
    @ParameterizedTest(name = "content-length {0} with {1} bytes of DATA")
    @CsvSource({"10, 5", "2, 5"})
    void contentLengthMismatchIsAStreamError(int contentLength, int sent) throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/stall", ":authority", "h",
                    "content-length", String.valueOf(contentLength));
            c.data(1, new byte[sent], true);
            assertThat(c.outcome(1)).isIn("reset " + PROTOCOL_ERROR, "status 400");
        }
    }

    /**
     * A client that grants no flow-control window beyond the initial 64 KiB reads nothing more:
     * the proxy must stop reading the backend, so what the backend flushed stays far below the
     * body; granting the window lets the whole body through.
     */
    @Test
    void aClientThatGrantsNoWindowPausesTheBackend() throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.get(1, "/big/" + SIZE);
            stall();
            final long flushedWhileStalled = backend.bytesFlushed();
            assertThat(flushedWhileStalled).isPositive().isLessThan(IN_FLIGHT_BOUND);
            c.windowUpdate(0, Integer.MAX_VALUE - 65535);
            c.windowUpdate(1, Integer.MAX_VALUE - 65535);
            assertThat(readBody(c, 1)).isEqualTo(SIZE);
        }
    }

    /**
     * A client with an open window that stops reading its socket: TCP backpressure must reach
     * the backend too.
     */
    @Test
    void aClientThatStopsReadingItsSocketPausesTheBackend() throws Exception {
        try (RawH2 c = RawH2.connect(port, Integer.MAX_VALUE, 64 * 1024)) {
            c.windowUpdate(0, Integer.MAX_VALUE - 65535);
            c.get(1, "/big/" + SIZE);
            stall();
            final long flushedWhileStalled = backend.bytesFlushed();
            assertThat(flushedWhileStalled).isPositive().isLessThan(IN_FLIGHT_BOUND);
            assertThat(readBody(c, 1)).isEqualTo(SIZE);
        }
    }

    /** Removing the port sends GOAWAY: no new stream, the connection closes once idle. */
    @Test
    void drainSendsGoAway() throws Exception {
        try (RawH2 c = RawH2.connect(port)) {
            c.get(1, "/before");
            assertThat(c.outcome(1)).isEqualTo("status 200");
            plane.apply(snapshot(2));
            final List<String> seen = new ArrayList<>();
            RawH2.Frame f;
            do {
                f = c.read();
                seen.add(f.toString());
            } while (f.type() != RawH2.GOAWAY);
            assertThat(f.errorCode()).as(seen.toString()).isZero();
            assertThat(f.lastStreamId()).isLessThanOrEqualTo(1);
            assertThat(c.outcome(3)).isEqualTo("closed");
        }
    }

    /** Waits for the backend to start, then lets it run against the stalled client for 1.5 s. */
    private void stall() throws InterruptedException {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (backend.bytesFlushed() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1500);
    }

    private static long readBody(RawH2 c, int stream) throws Exception {
        long total = 0;
        while (true) {
            final RawH2.Frame f = c.read();
            if (f.stream() != stream) {
                continue;
            }
            if (f.type() == RawH2.DATA) {
                total += f.payload().length;
                if (f.payload().length > 0) {
                    c.windowUpdate(0, f.payload().length);
                    c.windowUpdate(stream, f.payload().length);
                }
            }
            if (f.endStream() || f.type() == RawH2.RST_STREAM) {
                return total;
            }
        }
    }
}
