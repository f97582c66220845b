package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The harness checks itself: each product fault of {@link Fault}, injected into an embedded
 * gateway, makes the conformance test that guards against it fail, for the fault's reason; the
 * same tests pass with no fault, in the same environment. An HTTPS listener that speaks only h2
 * (a fault of the TLS layer, below the seams {@link Fault} reaches) is shown failing the harness's
 * HTTPS probe against an h2-only server double.
 */
class HarnessFaultsTest {
    /** A fault, the upstream test that must catch it, and what its failure must say. */
    private record Case(Fault fault, String test, String because) {
    }

    private static final List<Case> CASES = List.of(
            new Case(Fault.BACKEND_HEADER_REMOVE_IGNORED, "HTTPRouteBackendRequestHeaderModifier",
                    "expected X-Header-Remove header to not be set"),
            new Case(Fault.SECOND_HOST_UPSTREAM, "HTTPRouteSimpleSameNamespace",
                    "expected status code to be one of [200], got 400"),
            new Case(Fault.DEFAULT_REDIRECT_301, "HTTPRouteRedirectHostAndStatus",
                    "expected status code to be one of [302], got 301"),
            new Case(Fault.WEIGHT_ZERO_SERVED, "HTTPRouteWeight",
                    "expected 2 backends to receive traffic, but got 3"),
            new Case(Fault.ATTACHED_ROUTES_DOUBLED, "GatewayWithAttachedRoutes", "expected attachedRoutes 1, got 2"),
            new Case(Fault.LISTENER_SETS_ALLOWED_BY_DEFAULT, "ListenerSetDefaultNotAllowed",
                    "expected status.attachedListenerSets 0, got 1"));

    private static final Set<Fault> FAULTS = ConcurrentHashMap.newKeySet();
    private static Environment env;
    private static Map<String, TestSpec> specs;

    @BeforeAll
    static void start() throws Exception {
        Environment.Settings base = Environment.Settings.fromSystemProperties();
        assumeTrue(Files.isDirectory(base.suiteDir().resolve("tests")), "shared conformance data not present");
        // its own directory and ports; short waits, since every faulted test is expected to time out
        Environment.Settings settings = new Environment.Settings(base.suiteDir(),
                Path.of("target/conformance-selfcheck-config").toAbsolutePath(), base.reportFile(),
                base.portOffset() + 10_000, Duration.ofSeconds(2), Duration.ofSeconds(2), base.requestTimeout(),
                base.pkcs8Keys(), Set.of(), true, Environment.Settings.Mode.STANDALONE);
        specs = new java.util.HashMap<>();
        for (TestSpec s : TestSpec.loadSuite(settings.suiteDir().resolve("tests"))) {
            specs.put(s.shortName(), s);
        }
        env = Environment.prepare(settings, FAULTS);
        env.startGateway();
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.close();
        }
    }

    private static TestRunner run(String test, Fault fault) throws Exception {
        FAULTS.clear();
        if (fault != null) {
            FAULTS.add(fault);
        }
        try {
            TestRunner runner = new TestRunner(env, specs.get(test));
            runner.run();
            return runner;
        } finally {
            FAULTS.clear();
        }
    }

    @Test
    void everyGuardingTestPassesWithoutTheFault() throws Exception {
        for (Case c : CASES) {
            TestRunner runner = run(c.test(), null);
            assertThat(runner.failures()).as(c.test() + " with no fault").isEmpty();
            assertThat(runner.checks()).as(c.test()).isNotEmpty();
        }
    }

    @Test
    void eachProductFaultFailsTheTestThatGuardsAgainstIt() throws Exception {
        List<String> missed = new ArrayList<>();
        for (Case c : CASES) {
            List<String> failures = run(c.test(), c.fault()).failures();
            if (failures.isEmpty() && c.fault() == Fault.WEIGHT_ZERO_SERVED) {
                // weight 1 of 101 misses all 500 requests of one attempt with p = 0.007, and all
                // ten attempts of a run are needed to pass: p = 0.07 per run, as upstream; retry
                for (int i = 0; i < 2 && failures.isEmpty(); i++) {
                    failures = run(c.test(), c.fault()).failures();
                }
            }
            if (failures.stream().noneMatch(f -> f.contains(c.because()))) {
                missed.add(c.fault() + " (" + c.test() + "): failures " + failures);
            }
        }
        assertThat(missed).as("faults the harness did not catch for the expected reason").isEmpty();
    }

    @Test
    void anHttpsListenerThatSpeaksOnlyH2FailsTheHarnessProbe() throws Exception {
        Certificates certs = new Certificates(true);
        var issued = certs.selfSignedSecret("ns", "s", List.of("h2only.example.com"));
        SslContext h2Only = SslContextBuilder.forServer(issued.key(), issued.certificate())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(h2Only.newHandler(ch.alloc()), Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new SimpleChannelInboundHandler<Http2HeadersFrame>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, Http2HeadersFrame f) {
                                            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
                                                    new DefaultHttp2Headers().status("200"), true));
                                        }
                                    }), new io.netty.channel.ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            ctx.close(); // the HTTP/1.1 preface it refuses: expected here
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            HttpProbe.Request req = new HttpProbe.Request("https", "127.0.0.1", port, "GET", "h2only.example.com", "/",
                    Map.of(), "", "h2only.example.com", HttpProbe.trusting(List.of(issued.certificate())),
                    Duration.ofSeconds(2));
            String outcome;
            try {
                outcome = ExpectationChecker.check(Json.parse("{\"request\":{\"path\":\"/\"},\"namespace\":\"\"}"),
                        java.net.URI.create("https://127.0.0.1/"), HttpProbe.send(req));
            } catch (java.io.IOException e) {
                outcome = "request failed: " + e;
            }
            assertThat(outcome).as("an HTTP/1.1 client offering no ALPN, as upstream's, cannot be served").isNotNull();
            // the same client offering h2 first is served: the server double itself works
            HttpProbe.Request offersH2 = new HttpProbe.Request(req.scheme(), req.ip(), req.connectPort(), req.method(),
                    req.host(), req.path(), req.headers(), req.body(), req.serverName(), req.tls(), req.timeout(),
                    List.of("h2"));
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                var ssl = (javax.net.ssl.SSLSocket) req.tls().getSocketFactory().createSocket(socket, "h2only.example.com",
                        port, true);
                var params = ssl.getSSLParameters();
                params.setApplicationProtocols(offersH2.alpn().toArray(new String[0]));
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                assertThat(ssl.getApplicationProtocol()).isEqualTo("h2");
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
