package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.source.KubeJson;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchwayServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private static ServerConfig config(Path dir) {
        return new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false);
    }

    private HttpResponse<String> get(ArchwayServer server, String path) throws Exception {
        InetSocketAddress a = server.adminAddress();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void adminEndpointServesListsDiagnosticsAndProbes(@TempDir Path dir) throws Exception {
        int port = freePort();
        Files.writeString(dir.resolve("gw.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: team}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: %d}]}
                """.formatted(port));
        Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n");
        try (ArchwayServer server = ArchwayServer.start(config(dir))) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);

            HttpResponse<String> gws = get(server, "/api/v1/gateways?namespace=team");
            assertThat(gws.statusCode()).isEqualTo(200);
            JsonNode list = KubeJson.mapper().readTree(gws.body());
            assertThat(list.path("kind").asText()).isEqualTo("List");
            assertThat(list.path("items")).hasSize(1);
            assertThat(list.path("items").get(0).path("metadata").path("generation").asLong()).isEqualTo(1);
            assertThat(list.path("items").get(0).path("kind").asText()).isEqualTo("Gateway");
            assertThat(KubeJson.mapper().readTree(get(server, "/api/v1/gateways?namespace=other").body())
                    .path("items")).isEmpty();

            JsonNode diags = KubeJson.mapper().readTree(get(server, "/api/v1/diagnostics").body());
            assertThat(diags.path("diagnostics")).singleElement().satisfies(d -> {
                assertThat(d.path("file").asText()).endsWith("broken.yaml");
                assertThat(d.path("line").asInt()).isPositive();
                assertThat(d.path("severity").asText()).isEqualTo("ERROR");
            });
            assertThat(get(server, "/api/v1/pods").statusCode()).isEqualTo(404);

            // Fix the file and edit the Gateway spec: reloadNow applies both synchronously.
            Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n");
            Files.writeString(dir.resolve("gw.yaml"), Files.readString(dir.resolve("gw.yaml")).replace("port: " + port, "port: " + freePort()));
            long before = server.status().servedVersion();
            server.reloadNow();
            assertThat(server.status().servedVersion()).isGreaterThan(before);
            assertThat(server.status().diagnostics()).isEmpty();
            assertThat(server.status().list("Gateway", "team").get(0).getMetadata().getGeneration()).isEqualTo(2L);
        }
    }

    @Test
    void portInUseIsReportedAndNotReadyUntilAReloadSucceeds(@TempDir Path dir) throws Exception {
        java.net.ServerSocket squatter = new java.net.ServerSocket();
        squatter.bind(new InetSocketAddress("127.0.0.1", 0));
        int port = squatter.getLocalPort();
        Files.writeString(dir.resolve("gw.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: %d}]}
                """.formatted(port));
        try (ArchwayServer server = ArchwayServer.start(config(dir))) {
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(503);
            assertThat(server.status().servedVersion()).isZero();
            assertThat(server.status().diagnostics()).anySatisfy(d ->
                    assertThat(d.message()).contains("rejected by the data plane"));

            squatter.close();
            server.reloadNow();
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
            assertThat(server.status().servedVersion()).isPositive();
            assertThat(server.status().diagnostics()).isEmpty();
        } finally {
            squatter.close();
        }
    }

    /**
     * issue 14: a watching server reads the directory once at start (one snapshot, v1; it read it
     * twice and served v2, re-admitting every file right after ready) and still serves a later save.
     */
    @Test
    void watchingServerReadsTheDirectoryOnceAtStartAndServesLaterSaves(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: team}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: %d}]}
                """.formatted(freePort()));
        ServerConfig watching = new ServerConfig(dir, config(dir).translator(), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20), true);
        try (ArchwayServer server = ArchwayServer.start(watching)) {
            assertThat(server.status().servedVersion()).isEqualTo(1);
            Thread.sleep(300); // nothing changed: no second read, no second snapshot after ready
            assertThat(server.status().servedVersion()).isEqualTo(1);
            Files.writeString(dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: later\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.status().servedVersion() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.status().servedVersion()).isEqualTo(2);
        }
    }

    @Test
    void missingDirectoryFailsStart(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ArchwayServer.start(config(dir.resolve("nope"))))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("nope");
    }
}
