package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPCRoute end to end: a real gateway (directory source, live reload), grpc-java clients speaking
 * h2c with prior knowledge to it, and grpc-java backends behind it. Covers the four kinds of call,
 * header matches and modifiers, trailers, a stream kept on its route across a route change, the
 * weighted split, and the gateway's own answers to gRPC clients.
 */
class GrpcEndToEndTest {
    private static final Metadata.Key<String> VERSION = Metadata.Key.of("version", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> MY_HEADER = Metadata.Key.of("my-header", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> RESPONSE_HEADER =
            Metadata.Key.of("x-route", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;
    private final List<GrpcBackend> backends = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private ArchwayServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port));
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (server != null) {
            server.close();
        }
        backends.forEach(GrpcBackend::close);
    }

    private GrpcBackend backend(String name) throws Exception {
        final GrpcBackend b = new GrpcBackend(name);
        backends.add(b);
        return b;
    }

    private void services() throws Exception {
        final StringBuilder yaml = new StringBuilder();
        for (GrpcBackend b : backends) {
            yaml.append(Manifests.service(b.name(), b.port())).append("---\n");
        }
        Files.writeString(dir.resolve("backends.yaml"), yaml.toString());
    }

    private void serve() throws java.io.IOException {
        server = ArchwayServer.start(config());
    }

    private ServerConfig config() {
        return new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50), true);
    }

    private ManagedChannel channel(String authority) {
        final ManagedChannel c = Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create())
                .overrideAuthority(authority).build();
        channels.add(c);
        return c;
    }

    private static String unaryWith(ManagedChannel channel, String request, Metadata headers) {
        final io.grpc.Channel c = io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(c, GrpcBackend.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), request);
    }

    private static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata:
              name: streamer
            spec:
              parentRefs:
              - name: gw
              hostnames: [grpc.example.com]
              rules:
              - matches:
                - method: {service: archway.test.Streamer}
                  headers: [{name: version, value: "2"}]
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {add: [{name: my-header, value: bar}]}
                - type: ResponseHeaderModifier
                  responseHeaderModifier: {set: [{name: x-route, value: v2}]}
                backendRefs: [{name: two, port: 80}]
              - matches:
                - method: {service: archway.test.Streamer}
                backendRefs: [{name: %s, port: 80}]
            """;

    /** Unary, server, client and bidirectional streaming calls, each through the gateway. */
    @Test
    void allFourKindsOfCallGoThroughTheGateway() throws Exception {
        backend("one");
        backend("two");
        services();
        Files.writeString(dir.resolve("route.yaml"), ROUTE.formatted("one"));
        serve();
        final ManagedChannel ch = channel("grpc.example.com");

        assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "hi")).isEqualTo("one:hi");

        final List<String> streamed = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(ch, GrpcBackend.SERVER_STREAM, CallOptions.DEFAULT, "50")
                .forEachRemaining(streamed::add);
        assertThat(streamed).hasSize(50).startsWith("one:0", "one:1").endsWith("one:49");

        final CompletableFuture<String> summed = new CompletableFuture<>();
        final StreamObserver<String> up = ClientCalls.asyncClientStreamingCall(
                ch.newCall(GrpcBackend.CLIENT_STREAM, CallOptions.DEFAULT), observer(summed, null));
        for (int i = 0; i < 20; i++) {
            up.onNext(Integer.toString(i % 10));
        }
        up.onCompleted();
        assertThat(summed.get(5, TimeUnit.SECONDS)).isEqualTo("one:20:01234567890123456789");

        final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<String> bidiDone = new CompletableFuture<>();
        final StreamObserver<String> bidi = ClientCalls.asyncBidiStreamingCall(
                ch.newCall(GrpcBackend.BIDI, CallOptions.DEFAULT), observer(bidiDone, replies));
        for (int i = 0; i < 10; i++) {
            bidi.onNext("m" + i);
            // Each reply arrives before the next message is sent: the stream really is interactive.
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("one:m" + i);
        }
        bidi.onCompleted();
        bidiDone.get(5, TimeUnit.SECONDS);
    }

    /**
     * A header match selects the rule; its RequestHeaderModifier reaches the backend, its
     * ResponseHeaderModifier reaches the client; a backend's error status, message and trailers
     * arrive exactly as sent.
     */
    @Test
    void headerMatchesModifiersAndTrailers() throws Exception {
        final GrpcBackend one = backend("one");
        final GrpcBackend two = backend("two");
        services();
        Files.writeString(dir.resolve("route.yaml"), ROUTE.formatted("one"));
        serve();
        final ManagedChannel ch = channel("grpc.example.com");

        final Metadata v2 = new Metadata();
        v2.put(VERSION, "2");
        final AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
        final AtomicReference<Metadata> trailers = new AtomicReference<>();
        final io.grpc.Channel capturing = io.grpc.ClientInterceptors.intercept(ch,
                MetadataUtils.newAttachHeadersInterceptor(v2),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));
        assertThat(ClientCalls.blockingUnaryCall(capturing, GrpcBackend.UNARY, CallOptions.DEFAULT, "x"))
                .isEqualTo("two:x");
        assertThat(responseHeaders.get().get(RESPONSE_HEADER)).isEqualTo("v2");
        assertThat(two.received.get(0).get(MY_HEADER)).isEqualTo("bar");
        assertThat(unaryWith(ch, "y", new Metadata())).isEqualTo("one:y");
        assertThat(one.received.get(0).get(MY_HEADER)).isNull();

        // grpc-message is percent-encoded on the wire; the text survives the relay byte for byte.
        final String message = "no such thing: 100% \u2713 \"quoted\"";
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(capturing, GrpcBackend.UNARY, CallOptions.DEFAULT,
                "fail:" + message)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo(message);
                    assertThat(e.getTrailers().get(GrpcBackend.TRAILER)).isEqualTo("two");
                });
    }

    /**
     * A bidirectional stream opened before a route change finishes on the backend it started on,
     * while calls made after the change take the new route.
     */
    @Test
    void aStreamStaysOnItsRouteAcrossARouteChange() throws Exception {
        backend("one");
        backend("two");
        backend("three");
        services();
        Files.writeString(dir.resolve("route.yaml"), ROUTE.formatted("one"));
        serve();
        final ManagedChannel ch = channel("grpc.example.com");

        final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<String> done = new CompletableFuture<>();
        final StreamObserver<String> bidi = ClientCalls.asyncBidiStreamingCall(
                ch.newCall(GrpcBackend.BIDI, CallOptions.DEFAULT), observer(done, replies));
        bidi.onNext("before");
        assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("one:before");

        Manifests.save(dir.resolve("route.yaml"), ROUTE.formatted("three"));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String now = "";
        while (!now.startsWith("three:") && System.nanoTime() < deadline) {
            now = ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "probe");
            Thread.sleep(20);
        }
        assertThat(now).as("new calls take the new route").isEqualTo("three:probe");

        for (int i = 0; i < 5; i++) {
            bidi.onNext("after" + i);
            assertThat(replies.poll(5, TimeUnit.SECONDS)).as("the open stream keeps its route")
                    .isEqualTo("one:after" + i);
        }
        bidi.onCompleted();
        done.get(5, TimeUnit.SECONDS);
    }

    /** A 90/10 GRPCRoute split holds by chi-square over 2,000 calls (1 degree of freedom, 99.99 %). */
    @Test
    void aNinetyTenSplitHolds() throws Exception {
        backend("stable");
        backend("canary");
        services();
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: split}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                  - backendRefs:
                    - {name: stable, port: 80, weight: 90}
                    - {name: canary, port: 80, weight: 10}
                """);
        serve();
        final ManagedChannel ch = channel("any.example.com");
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        final int calls = WeightSplitTest.REQUESTS;
        final long[] seen = new long[2];
        try {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                results.add(pool.submit(() -> ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "c")));
            }
            for (Future<String> f : results) {
                final String r = f.get();
                seen[r.startsWith("stable:") ? 0 : 1]++;
            }
        } finally {
            pool.shutdownNow();
        }
        final double expectedStable = calls * 0.9;
        final double expectedCanary = calls * 0.1;
        final double chi = Math.pow(seen[0] - expectedStable, 2) / expectedStable
                + Math.pow(seen[1] - expectedCanary, 2) / expectedCanary;
        final String line = String.format(Locale.ROOT, "grpc 90/10: stable %d, canary %d of %d; chi-square %.3f (< %.3f)",
                seen[0], seen[1], calls, chi, WeightSplitTest.CHI_SQUARE_9999_1DF);
        System.out.println(line);
        assertThat(seen[0] + seen[1]).isEqualTo(calls);
        assertThat(chi).as(line).isLessThan(WeightSplitTest.CHI_SQUARE_9999_1DF);
    }

    /**
     * The gateway's own answers to gRPC clients are Trailers-Only gRPC responses with the status
     * the spec expects: UNIMPLEMENTED for no matching route, UNAVAILABLE for an unresolved backend,
     * a backend without endpoints, and a backend that refuses the connection.
     */
    @Test
    void localAnswersCarryTheGrpcStatus() throws Exception {
        final GrpcBackend refusing = backend("refusing");
        services();
        refusing.close(); // its endpoint now refuses connections
        Files.writeString(dir.resolve("empty.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: empty}
                spec: {ports: [{name: http, port: 80}]}
                """);
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: answers}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [grpc.example.com]
                  rules:
                  - matches: [{method: {service: archway.test.Streamer, method: Unary}}]
                    backendRefs: [{name: missing, port: 80}]
                  - matches: [{method: {service: archway.test.Streamer, method: ServerStream}}]
                    backendRefs: [{name: empty, port: 80}]
                  - matches: [{method: {service: archway.test.Streamer, method: ClientStream}}]
                    backendRefs: [{name: refusing, port: 80}]
                """);
        serve();
        final ManagedChannel ch = channel("grpc.example.com");
        assertThat(code(() -> ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "x")))
                .as("unresolved backend").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(code(() -> ClientCalls.blockingServerStreamingCall(ch, GrpcBackend.SERVER_STREAM,
                CallOptions.DEFAULT, "1").next())).as("no endpoints").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(code(() -> {
            final CompletableFuture<String> f = new CompletableFuture<>();
            final StreamObserver<String> up = ClientCalls.asyncClientStreamingCall(
                    ch.newCall(GrpcBackend.CLIENT_STREAM, CallOptions.DEFAULT), observer(f, null));
            up.onNext("a");
            up.onCompleted();
            try {
                return f.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw (RuntimeException) e.getCause();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).as("connection refused").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(code(() -> ClientCalls.blockingUnaryCall(channel("other.example.com"), GrpcBackend.UNARY,
                CallOptions.DEFAULT, "x"))).as("no route for the host").isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(code(() -> ClientCalls.blockingUnaryCall(ch, GrpcBackend.method("Nope",
                io.grpc.MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT, "x")))
                .as("no route for the method").isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    /**
     * The overview seed's GRPCRoute (v1alpha2, restored indentation, loaded unedited) on
     * my.example.com: User/Login with {@code version: 2} goes to foo-svc; ServerReflection calls get
     * {@code my-header: bar} and split 90/10 between bar-svc1 and bar-svc2; anything else is
     * UNIMPLEMENTED.
     */
    @Test
    void theOverviewSeedsGrpcRouteServesAsTheSpecSays() throws Exception {
        final GrpcBackend foo = backend("foo-svc");
        final GrpcBackend bar1 = backend("bar-svc1");
        final GrpcBackend bar2 = backend("bar-svc2");
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port).replace("name: gw", "name: gateway-istio"));
        final StringBuilder yaml = new StringBuilder();
        for (GrpcBackend b : backends) {
            yaml.append(Manifests.service(b.name(), b.port()).replace("port: 80", "port: "
                    + (b == foo ? 50051 : 50052))).append("---\n");
        }
        Files.writeString(dir.resolve("backends.yaml"), yaml.toString());
        Files.copy(Path.of("../docs/seeds/overview/07-grpcroute.yaml"), dir.resolve("07-grpcroute.yaml"));
        serve();
        final ManagedChannel ch = channel("my.example.com");

        final io.grpc.MethodDescriptor<String, String> login = io.grpc.MethodDescriptor.<String, String>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY).setFullMethodName("com.example.User/Login")
                .setRequestMarshaller(GrpcBackend.UTF8).setResponseMarshaller(GrpcBackend.UTF8).build();
        final io.grpc.MethodDescriptor<String, String> reflection = io.grpc.MethodDescriptor.<String, String>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
                .setRequestMarshaller(GrpcBackend.UTF8).setResponseMarshaller(GrpcBackend.UTF8).build();
        final Metadata v2 = new Metadata();
        v2.put(VERSION, "2");
        final io.grpc.Channel withVersion = io.grpc.ClientInterceptors.intercept(ch,
                MetadataUtils.newAttachHeadersInterceptor(v2));
        assertThat(ClientCalls.blockingUnaryCall(withVersion, login, CallOptions.DEFAULT, "x"))
                .isEqualTo("foo-svc:com.example.User/Login:x");
        assertThat(foo.received).hasSize(1);
        assertThat(failure(() -> ClientCalls.blockingUnaryCall(ch, login, CallOptions.DEFAULT, "x")).getDescription())
                .as("without version: 2 nothing matches: the gateway answers").startsWith("archway: 404");
        final io.grpc.Channel otherHost = io.grpc.ClientInterceptors.intercept(channel("other.example.com"),
                MetadataUtils.newAttachHeadersInterceptor(v2));
        assertThat(failure(() -> ClientCalls.blockingUnaryCall(otherHost, login, CallOptions.DEFAULT, "x"))
                .getDescription()).as("another host: no route").startsWith("archway: 404");
        assertThat(foo.received).hasSize(1);

        final int calls = 1_000;
        for (int i = 0; i < calls; i++) {
            assertThat(ClientCalls.blockingUnaryCall(ch, reflection, CallOptions.DEFAULT, "r"))
                    .matches("bar-svc[12]:grpc.reflection.v1.ServerReflection/ServerReflectionInfo:r");
        }
        assertThat(bar1.received.size() + bar2.received.size()).isEqualTo(calls);
        assertThat(bar1.received).allSatisfy(h -> assertThat(h.get(MY_HEADER)).isEqualTo("bar"));
        assertThat(bar2.received).allSatisfy(h -> assertThat(h.get(MY_HEADER)).isEqualTo("bar"));
        final double chi = Math.pow(bar1.received.size() - calls * 0.9, 2) / (calls * 0.9)
                + Math.pow(bar2.received.size() - calls * 0.1, 2) / (calls * 0.1);
        System.out.printf(Locale.ROOT, "seed grpc 90/10: bar-svc1 %d, bar-svc2 %d of %d; chi-square %.3f%n",
                bar1.received.size(), bar2.received.size(), calls, chi);
        assertThat(chi).isLessThan(WeightSplitTest.CHI_SQUARE_9999_1DF);
    }

    /**
     * Metrics count gRPC calls by grpc-status beside the HTTP status class, and the access log
     * names each call's service, method and status: the backend's own status (OK, NOT_FOUND) and
     * the gateway's answers (UNIMPLEMENTED for no route, UNAVAILABLE for a backend it cannot use).
     */
    @Test
    void metricsAndAccessLogNameTheGrpcStatusServiceAndMethod() throws Exception {
        backend("one");
        backend("two");
        services();
        Files.writeString(dir.resolve("route.yaml"), ROUTE.formatted("one").replace("backendRefs: [{name: two, port: 80}]",
                "backendRefs: [{name: missing, port: 80}]"));
        final Path log = dir.resolve("logs").resolve("access.log");
        Files.createDirectories(log.getParent());
        server = ArchwayServer.start(config().withAccessLog(log.toString()));
        final ManagedChannel ch = channel("grpc.example.com");
        for (int i = 0; i < 3; i++) {
            assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "ok")).isEqualTo("one:ok");
        }
        assertThat(failure(() -> ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "fail:x"))
                .getCode()).isEqualTo(Status.Code.NOT_FOUND);
        final Metadata v2 = new Metadata();
        v2.put(VERSION, "2");
        assertThat(failure(() -> ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(ch,
                MetadataUtils.newAttachHeadersInterceptor(v2)), GrpcBackend.UNARY, CallOptions.DEFAULT, "x")).getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure(() -> ClientCalls.blockingUnaryCall(channel("nowhere.example.com"), GrpcBackend.UNARY,
                CallOptions.DEFAULT, "x")).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);

        final String one = "backend_name=\"one\",backend_namespace=\"default\",backend_port=\"80\","
                + "route_kind=\"GRPCRoute\",route_name=\"streamer\",route_namespace=\"default\",rule=\"1\"";
        final String missing = "backend_name=\"missing\",backend_namespace=\"default\",backend_port=\"80\","
                + "route_kind=\"GRPCRoute\",route_name=\"streamer\",route_namespace=\"default\",rule=\"0\"";
        final String none = "backend_name=\"\",backend_namespace=\"\",backend_port=\"\","
                + "route_kind=\"none\",route_name=\"\",route_namespace=\"\",rule=\"\"";
        final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String scrape = "";
        while (System.nanoTime() < deadline) {
            scrape = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + server.adminAddress().getPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (MetricsEndToEndTest.value(scrape, "archway_grpc_requests_total{" + none + ",grpc_status=\"UNIMPLEMENTED\"}")
                    == 1) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(MetricsEndToEndTest.value(scrape, "archway_grpc_requests_total{" + one.replace(",route_kind",
                ",grpc_status=\"OK\",route_kind") + "}")).as(scrape).isEqualTo(3);
        assertThat(MetricsEndToEndTest.value(scrape, "archway_grpc_requests_total{" + one.replace(",route_kind",
                ",grpc_status=\"NOT_FOUND\",route_kind") + "}")).isEqualTo(1);
        assertThat(MetricsEndToEndTest.value(scrape, "archway_grpc_requests_total{" + missing.replace(",route_kind",
                ",grpc_status=\"UNAVAILABLE\",route_kind") + "}")).isEqualTo(1);
        assertThat(MetricsEndToEndTest.value(scrape, "archway_grpc_requests_total{" + none.replace(",route_kind",
                ",grpc_status=\"UNIMPLEMENTED\",route_kind") + "}")).isEqualTo(1);
        assertThat(MetricsEndToEndTest.value(scrape, "archway_requests_total{" + one + ",status_class=\"2xx\"}"))
                .as("the HTTP status class beside: a gRPC error is still HTTP 200").isEqualTo(4);

        List<String> lines = List.of();
        final long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lines.size() < 6 && System.nanoTime() < logDeadline) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            Thread.sleep(50);
        }
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).contains("\"protocol\":\"HTTP/2\"", "\"path\":\"/archway.test.Streamer/Unary\"",
                "\"grpc\":{\"service\":\"archway.test.Streamer\",\"method\":\"Unary\",\"status\":0}");
        assertThat(lines.get(3)).contains("\"status\":5}");
        assertThat(lines.get(4)).contains("\"outcome\":\"local\"", "\"status\":14}");
        assertThat(lines.get(5)).contains("\"route\":null", "\"status\":12}");
    }

    private static final String MIRRORED = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata:
              name: mirrored
            spec:
              parentRefs:
              - name: gw
              hostnames: [grpc.example.com]
              rules:
              - matches:
                - method: {service: archway.test.Streamer, method: Unary}
                filters:
                - type: RequestMirror
                  requestMirror: {backendRef: {name: mirror, port: 80}}
                backendRefs: [{name: one, port: 80}]
              - matches:
                - method: {service: archway.test.Streamer}
                backendRefs:
                - name: one
                  port: 80
                  filters:
                  - type: RequestMirror
                    requestMirror: {backendRef: {name: mirror, port: 80}}
            """;

    /**
     * RequestMirror (rule level for Unary, backendRef level for the streams): the client gets the
     * primary backend's replies, and the mirror backend, spoken to over h2c although its Service
     * port names no appProtocol, receives exactly one copy of each call, same method, same
     * messages, half-closed as the client did. With the mirror backend gone, calls are unaffected.
     */
    @Test
    void requestMirrorCopiesEachCallToTheMirrorBackend() throws Exception {
        final GrpcBackend one = backend("one");
        final GrpcBackend mirror = backend("mirror");
        services();
        Files.writeString(dir.resolve("route.yaml"), MIRRORED);
        serve();
        final ManagedChannel ch = channel("grpc.example.com");

        assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "hi")).isEqualTo("one:hi");
        awaitCalls(mirror, 1);
        assertThat(mirror.calls.get(0).method()).isEqualTo("archway.test.Streamer/Unary");
        awaitHalfClosed(mirror.calls.get(0));
        assertThat(mirror.calls.get(0).messages()).containsExactly("hi");

        final CompletableFuture<String> summed = new CompletableFuture<>();
        final StreamObserver<String> up = ClientCalls.asyncClientStreamingCall(
                ch.newCall(GrpcBackend.CLIENT_STREAM, CallOptions.DEFAULT), observer(summed, null));
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add("c" + i);
            up.onNext("c" + i);
        }
        up.onCompleted();
        assertThat(summed.get(5, TimeUnit.SECONDS)).startsWith("one:20:c0c1");
        awaitCalls(mirror, 2);
        assertThat(mirror.calls.get(1).method()).isEqualTo("archway.test.Streamer/ClientStream");
        awaitHalfClosed(mirror.calls.get(1));
        assertThat(mirror.calls.get(1).messages()).containsExactlyElementsOf(sent);

        final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<String> bidiDone = new CompletableFuture<>();
        final StreamObserver<String> bidi = ClientCalls.asyncBidiStreamingCall(
                ch.newCall(GrpcBackend.BIDI, CallOptions.DEFAULT), observer(bidiDone, replies));
        for (int i = 0; i < 10; i++) {
            bidi.onNext("m" + i);
            // Only the primary's replies reach the client; the mirror's are read and dropped.
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("one:m" + i);
        }
        bidi.onCompleted();
        bidiDone.get(5, TimeUnit.SECONDS);
        assertThat(replies).isEmpty();
        awaitCalls(mirror, 3);
        awaitHalfClosed(mirror.calls.get(2));
        assertThat(mirror.calls.get(2).method()).isEqualTo("archway.test.Streamer/Bidi");
        assertThat(mirror.calls.get(2).messages()).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7",
                "m8", "m9");

        // Exactly one copy each: nothing more arrives later; the primary saw each call once.
        Thread.sleep(300);
        assertThat(mirror.calls).hasSize(3);
        assertThat(one.calls).extracting(GrpcBackend.Call::method).containsExactly("archway.test.Streamer/Unary",
                "archway.test.Streamer/ClientStream", "archway.test.Streamer/Bidi");

        // The mirror backend gone: its copies fail quietly, the calls themselves are unaffected.
        mirror.close();
        assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "again")).isEqualTo("one:again");
        final CompletableFuture<String> summedAgain = new CompletableFuture<>();
        final StreamObserver<String> upAgain = ClientCalls.asyncClientStreamingCall(
                ch.newCall(GrpcBackend.CLIENT_STREAM, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                observer(summedAgain, null));
        upAgain.onNext("x");
        upAgain.onNext("y");
        upAgain.onCompleted();
        assertThat(summedAgain.get(5, TimeUnit.SECONDS)).isEqualTo("one:2:xy");
    }

    /**
     * {@code archway weights set} on a GRPCRoute in a directory: the file changes on disk, the
     * running gateway reloads it and the calls follow the new weights.
     */
    @Test
    void weightsSetOnAGrpcRouteIsServed() throws Exception {
        backend("one");
        backend("two");
        services();
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata:
                  name: split
                spec:
                  parentRefs:
                  - name: gw
                  hostnames: [grpc.example.com]
                  rules:
                  - backendRefs:
                    - name: one
                      port: 80
                      weight: 1
                    - name: two
                      port: 80
                      weight: 0
                """);
        serve();
        final ManagedChannel ch = channel("grpc.example.com");
        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "a")).isEqualTo("one:a");
        }

        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        final int code = io.archway.cli.ArchwayCommand.execute(new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true), "weights", "set", "split", "one=0", "two=1", "--config", dir.toString());
        assertThat(code).as(out + " " + err).isZero();
        assertThat(out.toString()).contains("GRPCRoute default/split rule 0: weights set");
        assertThat(Files.readString(dir.resolve("route.yaml"))).contains("weight: 0\n    - name: two\n      port: 80\n"
                + "      weight: 1");

        // The reload takes effect within the directory poll; from then on every call goes to two.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "b").startsWith("two:")) {
            assertThat(System.nanoTime()).as("the new weights are served").isLessThan(deadline);
            Thread.sleep(20);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(ch, GrpcBackend.UNARY, CallOptions.DEFAULT, "c")).isEqualTo("two:c");
        }
    }

    private static void awaitCalls(GrpcBackend backend, int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (backend.calls.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(backend.calls).as(backend.name() + "'s calls").hasSize(count);
    }

    private static void awaitHalfClosed(GrpcBackend.Call call) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!call.halfClosed().get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(call.halfClosed()).as(call.method() + " half-closed").isTrue();
    }

    private static Status failure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    private static Status.Code code(java.util.function.Supplier<?> call) {
        try {
            call.get();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    private static StreamObserver<String> observer(CompletableFuture<String> done, BlockingQueue<String> each) {
        return new StreamObserver<>() {
            private String last;

            @Override
            public void onNext(String value) {
                last = value;
                if (each != null) {
                    each.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        };
    }
}
