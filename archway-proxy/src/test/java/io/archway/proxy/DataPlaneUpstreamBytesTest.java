package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.https;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.route;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.h1.Http1Parser;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawBackend;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestCertificates;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.HttpFilter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What reaches the backend, byte for byte. The backend is a plain server socket that records the
 * request head and body exactly as they arrive (no HTTP decoding that could merge duplicate fields
 * or hide framing); the client is a raw socket (or a frame-level HTTP/2 client) so that what the
 * proxy receives is exact too. Heads are compared as whole lists of lines: an added, duplicated,
 * reordered or leftover field fails the comparison.
 *
 * <p>The forwarding policy pinned here (UpstreamRequestBuilder): the request line is always
 * HTTP/1.1 with the origin-form target; the client's end-to-end fields keep their order and the
 * case they were sent in; hop-by-hop fields (Connection and every field it names, Keep-Alive,
 * Proxy-Connection, TE except "trailers", Trailer, Transfer-Encoding, Upgrade outside a WebSocket
 * handshake) are removed; a Host is added (as {@code host}) only when there was none; the
 * client's X-Forwarded-For gets the client address appended, X-Forwarded-Proto is replaced by the
 * listener's scheme, both moved to the end in lower case; X-Forwarded-Host is the client's
 * business and passes through untouched (the proxy does not generate it); a re-framed chunked
 * body ends the head with {@code transfer-encoding: chunked}.
 */
@ParameterizedClass(name = "{0} parser")
@EnumSource(Http1Parser.class)
class DataPlaneUpstreamBytesTest {
    private static final String XFF_LOCAL = "x-forwarded-for: 127.0.0.1";
    private static final String XFP_HTTP = "x-forwarded-proto: http";

    private final Http1Parser parser;
    /** The property as the run set it (-Darchway.http1.parser), restored after each test. */
    private String previousParser;
    private RawBackend backend;
    private DataPlane plane;
    private int port;

    DataPlaneUpstreamBytesTest(Http1Parser parser) {
        this.parser = parser;
    }

    @BeforeEach
    void start() {
        previousParser = System.setProperty(Http1Parser.PROPERTY, parser.name());
        backend = new RawBackend();
        plane = new DataPlane(ProxyConfig.defaults());
        port = Ports.free();
        final HttpFilter rewrite = new HttpFilter.UrlRewrite("rewritten.test",
                new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, "/new"));
        plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                route("rw", new PathMatch(PathMatch.Type.PATH_PREFIX, "/rw"), List.of(rewrite),
                        backend("raw", 1, backend.port())),
                prefix("all", "/", backend("raw", 1, backend.port())))))));
    }

    @AfterEach
    void stop() {
        if (previousParser == null) {
            System.clearProperty(Http1Parser.PROPERTY);
        } else {
            System.setProperty(Http1Parser.PROPERTY, previousParser);
        }
        plane.close();
        backend.close();
        assertThat(backend.pending()).as("requests the test did not look at").isZero();
    }

    /** Sends {@code raw} on a new connection, expects the backend's 200, returns what the backend got. */
    private RawBackend.Captured forward(String raw) throws Exception {
        try (RawHttp c = RawHttp.connect(port)) {
            final RawHttp.Response r = c.send(raw).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
        }
        return backend.take();
    }

    // ---- HTTP/1.1 downstream -------------------------------------------------------------------

    @Test
    void getWithoutBody() throws Exception {
        final RawBackend.Captured got = forward("GET /a/b?x=1&y=%20z HTTP/1.1\r\nHost: app.test\r\n"
                + "User-Agent: raw/1\r\nAccept: */*\r\nX-Mixed-Case: Value\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /a/b?x=1&y=%20z HTTP/1.1",
                "Host: app.test",
                "User-Agent: raw/1",
                "Accept: */*",
                "X-Mixed-Case: Value",
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.body()).isEmpty();
    }

    @Test
    void postWithContentLength() throws Exception {
        final RawBackend.Captured got = forward("POST /submit HTTP/1.1\r\nHost: app.test:8080\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 11\r\nX-Request-Id: r1\r\n\r\nhello world");
        assertThat(got.lines()).containsExactly(
                "POST /submit HTTP/1.1",
                "Host: app.test:8080",
                "Content-Type: text/plain",
                "Content-Length: 11",
                "X-Request-Id: r1",
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.bodyText()).isEqualTo("hello world");
    }

    @Test
    void chunkedBodyIsReframedChunkedWithTrailers() throws Exception {
        final RawBackend.Captured got = forward("POST /upload HTTP/1.1\r\nHost: app.test\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n"
                + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "POST /upload HTTP/1.1",
                "Host: app.test",
                "Content-Type: application/octet-stream",
                XFF_LOCAL,
                XFP_HTTP,
                "transfer-encoding: chunked");
        final Dechunked body = dechunk(got.body());
        assertThat(body.data()).isEqualTo("hello world");
        assertThat(body.trailer()).containsExactly("X-Checksum: abc");
    }

    @Test
    void connectionKeepAliveAndCloseStayOnTheirHop() throws Exception {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /one HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive\r\nAccept: a\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("ok");
            assertThat(backend.take().lines()).containsExactly(
                    "GET /one HTTP/1.1", "Host: app.test", "Accept: a", XFF_LOCAL, XFP_HTTP);
            c.send("GET /two HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\nAccept: b\r\n\r\n");
            final RawHttp.Response r = c.read();
            assertThat(r.body()).isEqualTo("ok");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(backend.take().lines()).containsExactly(
                    "GET /two HTTP/1.1", "Host: app.test", "Accept: b", XFF_LOCAL, XFP_HTTP);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void http10RequestWithoutHostGetsTheEndpointAsHostAndGoesUpAsHttp11() throws Exception {
        final RawBackend.Captured got = forward("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n"
                + "Keep-Alive: timeout=5\r\nAccept: */*\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /old HTTP/1.1",
                "Accept: */*",
                "host: 127.0.0.1:" + backend.port(),
                XFF_LOCAL,
                XFP_HTTP);
    }

    @Test
    void hopByHopFieldsAndFieldsNamedByConnectionAreRemoved() throws Exception {
        final RawBackend.Captured got = forward("POST /hop HTTP/1.1\r\nHost: app.test\r\n"
                + "Connection: keep-alive, X-Custom\r\n"
                + "Keep-Alive: timeout=5, max=100\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "X-Custom: secret\r\n"
                + "TE: gzip\r\n"
                + "Trailer: X-Checksum\r\n"
                + "Upgrade: websocket\r\n" // without Connection: upgrade it is no handshake
                + "X-Kept: 1\r\n"
                + "Connection: x-other\r\n" // a second Connection line counts as well
                + "x-other: 2\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "X-Kept-Too: 3\r\n\r\n"
                + "4\r\nbody\r\n0\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "POST /hop HTTP/1.1",
                "Host: app.test",
                "X-Kept: 1",
                "X-Kept-Too: 3",
                XFF_LOCAL,
                XFP_HTTP,
                "transfer-encoding: chunked");
        final Dechunked body = dechunk(got.body());
        assertThat(body.data()).isEqualTo("body");
        assertThat(body.trailer()).isEmpty();
    }

    @Test
    void connectionCannotStripTheFramingOrTheHost() throws Exception {
        // Content-Length and Host are meant for every recipient (RFC 9110 section 7.6.1): a
        // Connection option naming them is ignored, or the backend would read the body as the
        // next request (request smuggling) and see a Host the request was not routed on.
        final String smuggled = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n";
        final RawBackend.Captured got = forward("POST /cl HTTP/1.1\r\nHost: app.test\r\n"
                + "Connection: Content-Length, host, X-Gone\r\nX-Gone: 1\r\nContent-Length: " + smuggled.length()
                + "\r\n\r\n" + smuggled);
        assertThat(got.lines()).containsExactly(
                "POST /cl HTTP/1.1",
                "Host: app.test",
                "Content-Length: " + smuggled.length(),
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.bodyText()).isEqualTo(smuggled);
    }

    @Test
    void h2cUpgradeIsAcceptedAndTheRequestForwardedWithoutTheUpgradeFields() throws Exception {
        // curl --http2 on an http:// URL: the connection switches to h2c, the request becomes
        // stream 1, and the backend (HTTP/1.1) sees none of the upgrade's fields.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /up HTTP/1.1\r\nHost: app.test\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
                    + "Accept: */*\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final StringBuilder head = new StringBuilder();
            int b;
            while (!head.toString().endsWith("\r\n\r\n") && (b = s.getInputStream().read()) >= 0) {
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101 Switching Protocols").containsIgnoringCase("upgrade: h2c");
            final RawBackend.Captured got = backend.take();
            assertThat(got.lines()).containsExactlyInAnyOrder(
                    "GET /up HTTP/1.1", "host: app.test", "accept: */*", XFF_LOCAL, XFP_HTTP);
        }
    }

    @Test
    void teTrailersIsTheOnlyTeForwarded() throws Exception {
        final RawBackend.Captured got = forward("POST /grpc HTTP/1.1\r\nHost: app.test\r\nTE: trailers, deflate\r\n"
                + "Content-Type: application/grpc\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(got.lines()).containsExactly(
                "POST /grpc HTTP/1.1",
                "Host: app.test",
                "Content-Type: application/grpc",
                "Content-Length: 3",
                "te: trailers",
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.bodyText()).isEqualTo("abc");
    }

    @Test
    void absoluteFormTargetReplacesHostOnce() throws Exception {
        final RawBackend.Captured got = forward("GET http://abs.test:81/p?q=1 HTTP/1.1\r\nHost: ignored.test\r\n"
                + "Accept: */*\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /p?q=1 HTTP/1.1", "Accept: */*", "host: abs.test:81", XFF_LOCAL, XFP_HTTP);
    }

    @Test
    void urlRewriteHostnameReplacesHostOnce() throws Exception {
        final RawBackend.Captured got = forward("GET /rw/deep?z=2 HTTP/1.1\r\nHost: app.test\r\nAccept: */*\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /new/deep?z=2 HTTP/1.1", "Accept: */*", "host: rewritten.test", XFF_LOCAL, XFP_HTTP);
    }

    @Test
    void clientForwardingHeadersAreAppendedOrReplacedExactlyOnce() throws Exception {
        final RawBackend.Captured got = forward("GET /f HTTP/1.1\r\nHost: app.test\r\n"
                + "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example\r\n"
                + "Accept: */*\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /f HTTP/1.1",
                "Host: app.test",
                "X-Forwarded-Host: public.example",
                "Accept: */*",
                "x-forwarded-for: 10.0.0.1, 127.0.0.1",
                XFP_HTTP);
    }

    @Test
    void everyClientXForwardedForLineIsKeptInOrder() throws Exception {
        final RawBackend.Captured got = forward("GET /f HTTP/1.1\r\nHost: app.test\r\n"
                + "X-Forwarded-For: 10.0.0.1\r\nAccept: */*\r\nx-forwarded-for: 10.0.0.2, 10.0.0.3\r\n\r\n");
        assertThat(got.lines()).containsExactly(
                "GET /f HTTP/1.1",
                "Host: app.test",
                "Accept: */*",
                "x-forwarded-for: 10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1",
                XFP_HTTP);
    }

    @Test
    void emptyClientXForwardedForIsReplacedByTheClientAddress() throws Exception {
        final RawBackend.Captured got = forward("GET /f HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For:\r\n\r\n");
        assertThat(got.lines()).containsExactly("GET /f HTTP/1.1", "Host: app.test", XFF_LOCAL, XFP_HTTP);
    }

    @Test
    void keepAliveConnectionForwardsEachRequestWithItsOwnHead() throws Exception {
        // Two requests on one downstream connection, the second over the pooled upstream connection.
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("POST /a HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /b HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("ok");
            assertThat(c.read().body()).isEqualTo("ok");
        }
        final RawBackend.Captured first = backend.take();
        assertThat(first.lines()).containsExactly(
                "POST /a HTTP/1.1", "Host: app.test", "Content-Length: 3", XFF_LOCAL, XFP_HTTP);
        assertThat(first.bodyText()).isEqualTo("abc");
        final RawBackend.Captured second = backend.take();
        assertThat(second.lines()).containsExactly("GET /b HTTP/1.1", "Host: app.test", XFF_LOCAL, XFP_HTTP);
        assertThat(second.body()).isEmpty();
    }

    // ---- HTTP/2 downstream (h2c, prior knowledge) to an HTTP/1.1 backend ------------------------

    @Test
    void h2GetBecomesHttp11WithOneHostFromAuthority() throws Exception {
        final Http2Headers h = new DefaultHttp2Headers().method("GET").scheme("http").authority("app.test")
                .path("/h2?q=1");
        h.add("user-agent", "h2/1");
        h.add("accept", "*/*");
        h.add("cookie", "a=1");
        h.add("cookie", "b=2");
        assertThat(h2(h, null)).isEqualTo(200);
        final RawBackend.Captured got = backend.take();
        assertThat(got.lines()).containsExactly(
                "GET /h2?q=1 HTTP/1.1",
                "host: app.test",
                "user-agent: h2/1",
                "accept: */*",
                "cookie: a=1; b=2",
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.body()).isEmpty();
    }

    @Test
    void h2PostWithContentLength() throws Exception {
        final Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").authority("app.test:8443")
                .path("/post");
        h.add("content-type", "text/plain");
        h.add("content-length", "4");
        h.add("te", "trailers");
        assertThat(h2(h, "ping")).isEqualTo(200);
        final RawBackend.Captured got = backend.take();
        assertThat(got.lines()).containsExactly(
                "POST /post HTTP/1.1",
                "host: app.test:8443",
                "content-type: text/plain",
                "content-length: 4",
                "te: trailers",
                XFF_LOCAL,
                XFP_HTTP);
        assertThat(got.bodyText()).isEqualTo("ping");
    }

    @Test
    void h2BodyWithoutLengthIsSentChunked() throws Exception {
        final Http2Headers h = new DefaultHttp2Headers().method("PUT").scheme("http").authority("app.test")
                .path("/put");
        h.add("x-forwarded-for", "10.1.1.1");
        assertThat(h2(h, "streamed")).isEqualTo(200);
        final RawBackend.Captured got = backend.take();
        assertThat(got.lines()).containsExactly(
                "PUT /put HTTP/1.1",
                "host: app.test",
                "x-forwarded-for: 10.1.1.1, 127.0.0.1",
                XFP_HTTP,
                "transfer-encoding: chunked");
        final Dechunked body = dechunk(got.body());
        assertThat(body.data()).isEqualTo("streamed");
        assertThat(body.trailer()).isEmpty();
    }

    @Test
    void h2WithHostEqualToAuthorityStillForwardsOneHost() throws Exception {
        // RFC 9113 section 8.3.1: a client may send Host as long as it matches :authority.
        final Http2Headers h = new DefaultHttp2Headers().method("GET").scheme("http").authority("app.test")
                .path("/both");
        h.add("host", "app.test");
        h.add("accept", "*/*");
        assertThat(h2(h, null)).isEqualTo(200);
        final RawBackend.Captured got = backend.take();
        assertThat(got.lines()).containsExactly(
                "GET /both HTTP/1.1", "host: app.test", "accept: */*", XFF_LOCAL, XFP_HTTP);
    }

    @Test
    void h2WithHostOnlyForwardsThatHost() throws Exception {
        // No :authority (allowed, RFC 9113 section 8.3.1): Host carries the authority.
        final Http2Headers h = new DefaultHttp2Headers().method("GET").scheme("http").path("/hostonly");
        h.add("host", "app.test");
        assertThat(h2(h, null)).isEqualTo(200);
        final RawBackend.Captured got = backend.take();
        assertThat(got.lines()).containsExactly("GET /hostonly HTTP/1.1", "host: app.test", XFF_LOCAL, XFP_HTTP);
    }

    @Test
    void jdkClientOverTlsH2() throws Exception {
        // A real h2 client (ALPN over TLS): its header order is the JDK's business, so the head is
        // compared as a multiset, which still fails on any added, missing or duplicated field.
        final DataPlane tls = new DataPlane(ProxyConfig.defaults());
        final int tlsPort = Ports.free();
        try {
            tls.apply(snapshot(1, https(tlsPort, listener("l", null,
                    List.of(TestCertificates.selfSigned("app.test", false)),
                    vhost("*", prefix("all", "/", backend("raw", 1, backend.port())))))));
            final SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new TrustAll()}, null);
            final HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                    .build();
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + tlsPort + "/tls?a=b"))
                    .header("X-Forwarded-Proto", "http").header("X-Trace", "t1")
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            final RawBackend.Captured got = backend.take();
            assertThat(got.lines().get(0)).isEqualTo("POST /tls?a=b HTTP/1.1");
            assertThat(got.lines().subList(1, got.lines().size()))
                    .map(l -> l.startsWith("user-agent: Java-http-client/") ? "user-agent: Java-http-client" : l)
                    .containsExactlyInAnyOrder(
                            "host: 127.0.0.1:" + tlsPort,
                            "content-length: 7",
                            "user-agent: Java-http-client",
                            "x-trace: t1",
                            XFF_LOCAL,
                            "x-forwarded-proto: https");
            assertThat(got.bodyText()).isEqualTo("payload");
        } finally {
            tls.close();
        }
    }

    /** Trusts any certificate and skips hostname checks (an X509ExtendedTrustManager is not wrapped). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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

    /** Sends one request on a new h2c connection (prior knowledge); returns the response status. */
    private int h2(Http2Headers headers, String body) throws Exception {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            final Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }).connect("127.0.0.1", port).syncUninterruptibly().channel();
            final CompletableFuture<Integer> status = new CompletableFuture<>();
            final Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(new ChannelInboundHandlerAdapter() {
                        private int code;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            try {
                                if (msg instanceof Http2HeadersFrame f && code == 0) {
                                    code = f.headers().status() == null ? 0 : Integer.parseInt(
                                            f.headers().status().toString());
                                }
                                if (msg instanceof Http2HeadersFrame f && f.isEndStream()
                                        || msg instanceof Http2DataFrame d && d.isEndStream()) {
                                    status.complete(code);
                                }
                            } finally {
                                ReferenceCountUtil.release(msg);
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            status.completeExceptionally(new IllegalStateException("stream closed"));
                        }
                    }).open().syncUninterruptibly().getNow();
            final boolean noBody = body == null;
            stream.write(new DefaultHttp2HeadersFrame(headers, noBody));
            if (!noBody) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1),
                        true));
            }
            stream.flush();
            final int code = status.get(10, TimeUnit.SECONDS);
            connection.close().syncUninterruptibly();
            return code;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- chunked bodies as received -------------------------------------------------------------

    /** A chunked body decoded strictly: the data, and the trailer field lines. */
    private record Dechunked(String data, List<String> trailer) {
    }

    /**
     * Decodes the raw chunked bytes the backend got, failing on anything but well-formed chunks
     * (hex size, CRLF, data, CRLF) ended by a zero chunk, trailer lines and a final CRLF with
     * nothing after it. Chunk boundaries depend on how reads split the stream, so only the data
     * and trailers are compared.
     */
    private static Dechunked dechunk(byte[] raw) {
        final String s = new String(raw, StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            final int eol = s.indexOf("\r\n", i);
            assertThat(eol).as("chunk size line in %s", s).isPositive();
            final String sizeText = s.substring(i, eol);
            assertThat(sizeText).as("chunk size in %s", s).matches("[0-9a-fA-F]+");
            final int size = Integer.parseInt(sizeText, 16);
            i = eol + 2;
            if (size == 0) {
                break;
            }
            data.write(raw, i, size);
            i += size;
            assertThat(s.startsWith("\r\n", i)).as("CRLF after chunk data in %s", s).isTrue();
            i += 2;
        }
        final List<String> trailer = new java.util.ArrayList<>();
        while (true) {
            final int eol = s.indexOf("\r\n", i);
            assertThat(eol).as("trailer line in %s", s).isGreaterThanOrEqualTo(i);
            final String line = s.substring(i, eol);
            i = eol + 2;
            if (line.isEmpty()) {
                break;
            }
            trailer.add(line);
        }
        assertThat(i).as("bytes after the chunked body in %s", s).isEqualTo(raw.length);
        return new Dechunked(data.toString(StandardCharsets.ISO_8859_1), trailer);
    }
}
