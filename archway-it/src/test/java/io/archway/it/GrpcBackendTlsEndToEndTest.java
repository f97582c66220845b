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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC to TLS backends end to end (issue 10, "backends over h2 (TLS)"): a GRPCRoute whose Service
 * a BackendTLSPolicy targets is served over h2 with TLS by a real gateway (directory source) to
 * grpc-java backends that require a client certificate, which the Gateway presents from its
 * {@code spec.tls.backend.clientCertificateRef}; grpc-java clients speak h2c to the gateway.
 */
class GrpcBackendTlsEndToEndTest {
    private static final TestPki BACKEND_CA = new TestPki("backend-ca");
    private static final TestPki CLIENT_CA = new TestPki("gateway-client-ca");
    private static final TestPki.Issued BACKEND_CERT = BACKEND_CA.issue("grpc-backend",
            List.of("grpc-backend.example.com"), false);

    @TempDir
    Path dir;
    private ArchwayServer server;
    private ManagedChannel channel;
    private GrpcBackend backend;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static String gateway(int port) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: archway
                spec:
                  controllerName: archway.io/gateway-controller
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                spec:
                  gatewayClassName: archway
                  tls:
                    backend:
                      clientCertificateRef: {name: gateway-client}
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: %d
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata:
                  name: streamer
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [grpc.example.com]
                  rules:
                  - matches: [{method: {service: archway.test.Streamer}}]
                    backendRefs: [{name: secure, port: 80}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata:
                  name: secure
                spec:
                  targetRefs: [{group: "", kind: Service, name: secure}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: backend-ca}]
                    hostname: %s
                """.formatted(port, "%s");
    }

    private void serve(String policyHostname, TestPki trusted) throws Exception {
        backend = new GrpcBackend("secure", 0, new GrpcBackend.Tls(BACKEND_CERT.certificatePem(), BACKEND_CERT.keyPem(),
                CLIENT_CA.pem()));
        final int port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), gateway(port).formatted(policyHostname));
        Files.writeString(dir.resolve("backend.yaml"), Manifests.service("secure", backend.port()) + "---\n"
                + trusted.configMap("backend-ca") + "---\n"
                + TestPki.secret("gateway-client", CLIENT_CA.issue("archway-gateway", List.of(), true)));
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50), true));
        channel = Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create())
                .overrideAuthority("grpc.example.com").build();
    }

    @Test
    void unaryAndBidiCallsReachAVerifiedBackendOverH2WithTheGatewaysClientCertificate() throws Exception {
        serve("grpc-backend.example.com", BACKEND_CA);

        assertThat(ClientCalls.blockingUnaryCall(channel, GrpcBackend.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi")).isEqualTo("secure:hi");

        final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final StreamObserver<String> bidi = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcBackend.BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (int i = 0; i < 10; i++) {
            bidi.onNext("m" + i);
            // each reply comes back before the next message goes out: the stream is interactive end to end
            assertThat(replies.poll(5, TimeUnit.SECONDS)).isEqualTo("secure:m" + i);
        }
        bidi.onCompleted();
        done.get(5, TimeUnit.SECONDS);

        // the backend spoke TLS with the gateway, which negotiated h2 and presented its client certificate
        assertThat(backend.calls).hasSize(2);
        assertThat(backend.sessions).hasSize(2).allSatisfy(s -> {
            assertThat(((X509Certificate) s.getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=archway-gateway");
        });
    }

    @Test
    void aBackendTheGatewayCannotVerifyGetsNoCallAndTheClientUnavailable() throws Exception {
        serve("grpc-backend.example.com", new TestPki("some-other-ca"));
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcBackend.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void aHostnameTheBackendsCertificateLacksGetsNoCall() throws Exception {
        serve("elsewhere.example.com", BACKEND_CA);
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcBackend.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(backend.calls).isEmpty();
    }
}
