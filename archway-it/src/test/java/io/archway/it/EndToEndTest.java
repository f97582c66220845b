package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.source.KubeJson;
import io.archway.translate.Diagnostic;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole product over real sockets: files -> ArchwayServer -> proxy -> backends. */
class EndToEndTest {
    @TempDir
    Path dir;
    private Backend blue;
    private Backend green;
    private ArchwayServer server;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port));
        Files.createDirectories(dir.resolve("backends"));
        Files.writeString(dir.resolve("backends/blue.yaml"), Manifests.service("blue", blue.port()));
        Files.writeString(dir.resolve("backends/green.yaml"), Manifests.service("green", green.port()));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "one"));
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(100), true));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        blue.close();
        green.close();
    }

    private String get() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "io " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until {@code probe} returns {@code expected}; returns how long it took. */
    private static Duration awaitValue(Supplier<String> probe, String expected, Duration timeout) throws Exception {
        long start = System.nanoTime();
        String last = null;
        while (System.nanoTime() - start < timeout.toNanos()) {
            last = probe.get();
            if (expected.equals(last)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected '" + expected + "' within " + timeout + ", last was '" + last + "'");
    }

    private JsonNode admin(String path) throws Exception {
        InetSocketAddress a = server.adminAddress();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return KubeJson.mapper().readTree(r.body());
    }

    @Test
    void directoryEditIsLiveWithinOneSecond() throws Exception {
        assertThat(get()).isEqualTo("200 blue");

        Manifests.save(dir.resolve("route.yaml"), Manifests.route("green", "one"));
        Duration took = awaitValue(this::get, "200 green", Duration.ofSeconds(3));

        assertThat(took).isLessThan(Duration.ofSeconds(1));
        assertThat(get()).isEqualTo("200 green");
    }

    @Test
    void brokenFileKeepsLastGoodServingAndNamesFileAndLine() throws Exception {
        assertThat(get()).isEqualTo("200 blue");
        long served = server.status().servedVersion();

        // Line 13 is "port: eighty".
        Manifests.save(dir.resolve("route.yaml"), Manifests.route("green", "one").replace("port: 80", "port: eighty"));
        awaitValue(() -> server.status().diagnostics().isEmpty() ? "none" : "some", "some", Duration.ofSeconds(3));

        assertThat(get()).as("last good route still serves").isEqualTo("200 blue");
        Diagnostic d = server.status().diagnostics().get(0);
        assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
        assertThat(d.location().file()).isEqualTo(dir.resolve("route.yaml").toString());
        assertThat(d.location().line()).isEqualTo(13);
        assertThat(d.field()).isEqualTo("spec.rules[0].backendRefs[0].port");
        JsonNode diags = admin("/api/v1/diagnostics");
        assertThat(diags.path("diagnostics").get(0).path("text").asText())
                .startsWith(dir.resolve("route.yaml") + ":13: error:");
        assertThat(server.status().servedVersion()).isGreaterThanOrEqualTo(served);

        Manifests.save(dir.resolve("route.yaml"), Manifests.route("green", "one"));
        awaitValue(this::get, "200 green", Duration.ofSeconds(3));
        awaitValue(() -> server.status().diagnostics().isEmpty() ? "none" : "some", "none", Duration.ofSeconds(3));
    }

    @Test
    void generationBumpsOnSpecChangeOnly() throws Exception {
        assertThat(routeGeneration()).isEqualTo(1);

        Manifests.save(dir.resolve("route.yaml"), Manifests.route("blue", "two"));
        awaitValue(() -> label(), "two", Duration.ofSeconds(3));
        assertThat(routeGeneration()).as("label change").isEqualTo(1);

        Manifests.save(dir.resolve("route.yaml"), Manifests.route("green", "two"));
        awaitValue(this::get, "200 green", Duration.ofSeconds(3));
        // The data plane takes a snapshot just before its status is published: wait for the status too.
        awaitValue(() -> Long.toString(routeGeneration()), "2", Duration.ofSeconds(3));
        assertThat(routeGeneration()).as("spec change").isEqualTo(2);
        JsonNode route = admin("/api/v1/httproutes?namespace=default").path("items").get(0);
        assertThat(route.path("status").path("parents").get(0).path("conditions"))
                .allSatisfy(c -> assertThat(c.path("observedGeneration").asLong()).isEqualTo(2));
    }

    @Test
    void reloadNowIsSynchronousAndGatewayStatusIsPublished() throws Exception {
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("green", "one"));
        server.reloadNow();
        assertThat(get()).isEqualTo("200 green");
        JsonNode gw = admin("/api/v1/gateways").path("items").get(0);
        assertThat(gw.path("status").path("conditions")).anySatisfy(c -> {
            assertThat(c.path("type").asText()).isEqualTo("Programmed");
            assertThat(c.path("status").asText()).isEqualTo("True");
            assertThat(c.path("lastTransitionTime").asText()).isNotEmpty();
        });
        assertThat(admin("/api/v1/gateways?namespace=nope").path("items")).isEmpty();
    }

    private long routeGeneration() {
        return server.status().list("HTTPRoute", "default").get(0).getMetadata().getGeneration();
    }

    private String label() {
        return server.status().list("HTTPRoute", "default").get(0).getMetadata().getLabels().get("note");
    }
}
