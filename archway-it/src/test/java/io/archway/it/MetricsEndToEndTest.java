package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real requests through a live gateway, then {@code GET /metrics} on its admin endpoint: the
 * counters and histogram buckets of docs/DESIGN.md "Metrics" per route and backend, 404s as
 * {@code route_kind="none"}, connect errors for a backend whose endpoint is down, the connection
 * gauge, bounded labels; and the JSON access log of the same requests.
 */
class MetricsEndToEndTest {
    private static final String SHOP = "backend_name=\"shop\",backend_namespace=\"default\",backend_port=\"80\","
            + "route_kind=\"HTTPRoute\",route_name=\"checkout\",route_namespace=\"default\",rule=\"main\"";
    private static final String DOWN = "backend_name=\"down\",backend_namespace=\"default\",backend_port=\"80\","
            + "route_kind=\"HTTPRoute\",route_name=\"checkout\",route_namespace=\"default\",rule=\"1\"";
    private static final String NONE = "backend_name=\"\",backend_namespace=\"\",backend_port=\"\","
            + "route_kind=\"none\",route_name=\"\",route_namespace=\"\",rule=\"\"";

    @TempDir
    Path dir;
    private RecordingBackend shop;
    private ArchwayServer server;
    private int port;
    private Path accessLog;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        shop = new RecordingBackend("shop");
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port));
        Files.writeString(dir.resolve("backends.yaml"), Manifests.service("shop", shop.port()) + "---\n"
                + Manifests.service("down", Manifests.freePort())); // nothing listens on the down endpoint
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: checkout
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - name: main
                    matches:
                    - path: {type: PathPrefix, value: /shop}
                    backendRefs:
                    - name: shop
                      port: 80
                  - matches:
                    - path: {type: PathPrefix, value: /down}
                    backendRefs:
                    - name: down
                      port: 80
                """);
        accessLog = dir.resolve("logs").resolve("access.log");
        Files.createDirectories(accessLog.getParent());
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(50), false).withAccessLog(accessLog.toString()));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        shop.close();
    }

    @Test
    void requestsAreCountedPerRouteAndBackendAndServedAtSlashMetrics() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(get("/shop/item?id=secret-" + i).statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(get("/down").statusCode()).as("connection refused").isEqualTo(503);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(get("/nowhere/" + i).statusCode()).isEqualTo(404);
        }
        assertThat(shop.total()).isEqualTo(20);

        String text = awaitScrape(s -> value(s, "archway_requests_total{" + SHOP + ",status_class=\"2xx\"}") == 20
                && value(s, "archway_requests_total{" + NONE + ",status_class=\"4xx\"}") == 3
                && value(s, "archway_requests_total{" + DOWN + ",status_class=\"5xx\"}") == 5);
        System.out.println("metrics e2e scrape (excerpt):");
        text.lines().filter(l -> l.startsWith("archway_") && !l.contains("_bucket{") || l.contains("le=\"0.005\"")
                || l.contains("le=\"+Inf\"")).forEach(l -> System.out.println("  " + l));

        assertThat(value(text, "archway_request_duration_seconds_count{" + SHOP + "}")).isEqualTo(20);
        assertThat(value(text, "archway_request_duration_seconds_bucket{" + SHOP + ",le=\"+Inf\"}")).isEqualTo(20);
        assertThat(value(text, "archway_request_duration_seconds_bucket{" + SHOP + ",le=\"30.0\"}")).isEqualTo(20);
        assertThat(value(text, "archway_request_duration_seconds_sum{" + SHOP + "}")).isGreaterThan(0).isLessThan(20);
        // Buckets are cumulative: non-decreasing in le.
        List<Double> buckets = text.lines().filter(l -> l.startsWith("archway_request_duration_seconds_bucket{" + SHOP))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
        assertThat(buckets).hasSize(18).isSorted();
        assertThat(value(text, "archway_requests_total{" + SHOP + ",status_class=\"5xx\"}")).isEqualTo(-1);
        assertThat(value(text, "archway_upstream_connect_errors_total{backend_name=\"down\",backend_namespace=\"default\","
                + "backend_port=\"80\"}")).isEqualTo(5);
        assertThat(value(text, "archway_upstream_connect_errors_total{backend_name=\"shop\",backend_namespace=\"default\","
                + "backend_port=\"80\"}")).as("the healthy backend had no connect errors").isEqualTo(-1);
        assertThat(value(text, "archway_request_duration_seconds_count{" + NONE + "}")).isEqualTo(3);
        assertThat(value(text, "archway_snapshot_version")).isEqualTo(server.status().servedVersion());
        assertThat(value(text, "archway_reloads_total{outcome=\"applied\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "archway_access_log_dropped_total")).isEqualTo(0);
        // Bounded labels: no path, query or host values anywhere.
        assertThat(text).doesNotContain("secret").doesNotContain("/shop").doesNotContain("nowhere");

        // The connection gauge follows a connection opened and closed on the listener.
        String gauge = "archway_active_connections{listener_port=\"" + port + "\"}";
        long before = (long) value(text, gauge);
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET /shop/raw HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            awaitScrape(t -> value(t, gauge) == before + 1);
        }
        awaitScrape(t -> value(t, gauge) == before);

        // The access log of the same requests, one JSON line each.
        List<String> lines = awaitLines(29);
        System.out.println("access log line: " + lines.get(0));
        assertThat(lines.get(0)).startsWith("{\"time\":\"").contains("\"method\":\"GET\"")
                .contains("\"path\":\"/shop/item?id=secret-0\",\"status\":200,\"bytes\":4,")
                .contains("\"route\":{\"kind\":\"HTTPRoute\",\"namespace\":\"default\",\"name\":\"checkout\",\"rule\":\"main\","
                        + "\"match\":0},\"backend\":\"default/shop:80\",\"endpoint\":\"127.0.0.1:" + shop.port() + "\"")
                .endsWith("\"outcome\":\"completed\"}");
        assertThat(lines).filteredOn(l -> l.contains("\"path\":\"/down\"")).hasSize(5)
                .allMatch(l -> l.contains("\"status\":503") && l.contains("\"backend\":\"default/down:80\"")
                        && l.contains("\"outcome\":\"failed\""));
        assertThat(lines).filteredOn(l -> l.contains("\"path\":\"/nowhere/")).hasSize(3)
                .allMatch(l -> l.contains("\"status\":404,") && l.contains("\"route\":null"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Scrapes until {@code ready} holds (a request is counted once its last byte is written). */
    private String awaitScrape(Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String text = scrape();
        while (!ready.test(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            text = scrape();
        }
        assertThat(ready.test(text)).as("metrics never reached the expected values:\n" + text).isTrue();
        return text;
    }

    /** The value of one series ({@code name{labels}} exactly), or -1 when absent. */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private List<String> awaitLines(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
            if (lines.size() >= n) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(lines).as("access log lines").hasSize(n);
        return lines;
    }
}
