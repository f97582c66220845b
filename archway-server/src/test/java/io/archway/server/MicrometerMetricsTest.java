package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MicrometerMetricsTest {
    private static final String LABELS = "backend_name=\"checkout-v2\",backend_namespace=\"shop\",backend_port=\"8080\","
            + "route_kind=\"HTTPRoute\",route_name=\"checkout\",route_namespace=\"shop\",rule=\"0\"";

    private static List<String> lines(String scrape, String prefix) {
        return scrape.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void requestsCountByStatusClassAndDurationsFillTheBuckets() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerTrafficMetrics m = new MicrometerTrafficMetrics(registry);
        for (int i = 0; i < 98; i++) {
            m.requestCompleted("HTTPRoute", "shop", "checkout", "0", "shop", "checkout-v2", 8080, 200, 3_000_000);
        }
        m.requestCompleted("HTTPRoute", "shop", "checkout", "0", "shop", "checkout-v2", 8080, 503, 400_000_000);
        m.requestCompleted("HTTPRoute", "shop", "checkout", "0", "shop", "checkout-v2", 8080, 404, 600_000_000);
        m.requestCompleted(null, null, null, null, null, null, 0, 404, 1_000_000);
        m.upstreamConnectError("shop", "checkout-v2", 8080);
        m.upstreamTimeout("shop", "checkout-v2", 8080);
        m.upstreamTimeout("shop", "checkout-v2", 8080);
        m.connectionOpened(80);
        m.connectionOpened(80);
        m.connectionClosed(80);

        String text = registry.scrape();
        assertThat(text).contains("archway_requests_total{" + LABELS + ",status_class=\"2xx\"} 98")
                .contains("archway_requests_total{" + LABELS + ",status_class=\"5xx\"} 1")
                .contains("archway_requests_total{" + LABELS + ",status_class=\"4xx\"} 1")
                .contains("archway_requests_total{backend_name=\"\",backend_namespace=\"\",backend_port=\"\","
                        + "route_kind=\"none\",route_name=\"\",route_namespace=\"\",rule=\"\",status_class=\"4xx\"} 1")
                .contains("archway_request_duration_seconds_count{" + LABELS + "} 100")
                .contains("archway_request_duration_seconds_bucket{" + LABELS + ",le=\"0.005\"} 98")
                .contains("archway_request_duration_seconds_bucket{" + LABELS + ",le=\"0.5\"} 99")
                .contains("archway_request_duration_seconds_bucket{" + LABELS + ",le=\"0.75\"} 100")
                .contains("archway_request_duration_seconds_bucket{" + LABELS + ",le=\"+Inf\"} 100")
                .contains("archway_upstream_connect_errors_total{backend_name=\"checkout-v2\",backend_namespace=\"shop\","
                        + "backend_port=\"8080\"} 1")
                .contains("archway_upstream_timeouts_total{backend_name=\"checkout-v2\",backend_namespace=\"shop\","
                        + "backend_port=\"8080\"} 2")
                .contains("archway_active_connections{listener_port=\"80\"} 1");
        // The duration histogram has no status_class label (one series per route/backend).
        assertThat(lines(text, "archway_request_duration_seconds_bucket{")).noneMatch(l -> l.contains("status_class"))
                .hasSize(2 * (MicrometerTrafficMetrics.LATENCY_BUCKETS.length + 1));
        assertThat(MicrometerTrafficMetrics.statusClass(0)).isEqualTo("5xx");
        assertThat(MicrometerTrafficMetrics.statusClass(101)).isEqualTo("1xx");
    }

    @Test
    void asTheDataPlanesObserverItLabelsBySnapshotOrigins() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerTrafficMetrics m = new MicrometerTrafficMetrics(registry);
        io.archway.proxy.TrafficObserver observer = m;
        var named = new io.archway.snapshot.RouteOrigin("HTTPRoute", "shop", "checkout", 2, "main", 0);
        var otherMatch = new io.archway.snapshot.RouteOrigin("HTTPRoute", "shop", "checkout", 2, "main", 1);
        var indexed = new io.archway.snapshot.RouteOrigin("GRPCRoute", "shop", "api", 1, null, 0);
        var v2 = new io.archway.snapshot.BackendOrigin("Service", "shop", "checkout-v2", 8080);
        for (int i = 0; i < 3; i++) {
            observer.requestCompleted(named, v2, 200, 1_000_000);
        }
        observer.requestCompleted(otherMatch, v2, 502, 1_000_000); // same rule, other match: same series
        observer.requestCompleted(named, null, 302, 1_000_000); // a redirect: no backend
        observer.requestCompleted(indexed, v2, 200, 1_000_000);
        observer.requestCompleted(null, null, 404, 1_000_000);
        observer.upstreamConnectError(v2);
        observer.upstreamTimeout(v2);
        observer.upstreamRetry(v2);
        observer.upstreamRetry(v2);
        observer.mirrorDropped(new io.archway.snapshot.BackendOrigin("Service", "shop", "shadow", 80));
        observer.streamOpened(443);
        observer.streamOpened(443);
        observer.streamClosed(443);
        observer.connectionOpened(443);

        String labels = "backend_name=\"checkout-v2\",backend_namespace=\"shop\",backend_port=\"8080\","
                + "route_kind=\"HTTPRoute\",route_name=\"checkout\",route_namespace=\"shop\",rule=\"main\"";
        assertThat(registry.scrape()).contains("archway_requests_total{" + labels + ",status_class=\"2xx\"} 3")
                .contains("archway_requests_total{" + labels + ",status_class=\"5xx\"} 1")
                .contains("archway_request_duration_seconds_count{" + labels + "} 4")
                .contains("archway_requests_total{backend_name=\"\",backend_namespace=\"\",backend_port=\"\","
                        + "route_kind=\"HTTPRoute\",route_name=\"checkout\",route_namespace=\"shop\",rule=\"main\","
                        + "status_class=\"3xx\"} 1")
                .contains("route_kind=\"GRPCRoute\",route_name=\"api\",route_namespace=\"shop\",rule=\"1\","
                        + "status_class=\"2xx\"} 1")
                .contains("route_kind=\"none\",route_name=\"\",route_namespace=\"\",rule=\"\",status_class=\"4xx\"} 1")
                .contains("archway_upstream_connect_errors_total{backend_name=\"checkout-v2\",backend_namespace=\"shop\","
                        + "backend_port=\"8080\"} 1")
                .contains("archway_upstream_timeouts_total{backend_name=\"checkout-v2\",backend_namespace=\"shop\","
                        + "backend_port=\"8080\"} 1")
                .contains("archway_upstream_retries_total{backend_name=\"checkout-v2\",backend_namespace=\"shop\","
                        + "backend_port=\"8080\"} 2")
                .contains("archway_mirror_dropped_total{backend_name=\"shadow\",backend_namespace=\"shop\","
                        + "backend_port=\"80\"} 1")
                .contains("archway_active_streams{listener_port=\"443\"} 1")
                .contains("archway_active_connections{listener_port=\"443\"} 1");
        // The string API and the observer share the series.
        m.requestCompleted("HTTPRoute", "shop", "checkout", "main", "shop", "checkout-v2", 8080, 200, 1_000_000);
        assertThat(registry.scrape()).contains("archway_requests_total{" + labels + ",status_class=\"2xx\"} 4");
    }

    @Test
    void adminServesMetricsWithSnapshotVersionAndReloads(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gw.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: %d}]}
                """.formatted(freePort()));
        try (ArchwayServer server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false))) {
            server.reloadNow();
            server.trafficMetrics().requestCompleted("HTTPRoute", "default", "r", "0", "default", "b", 80, 200, 1000);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.adminAddress().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(r.body()).contains("archway_snapshot_version " + server.status().servedVersion())
                    .contains("archway_reloads_total{outcome=\"applied\"} 2")
                    .contains("archway_reloads_total{outcome=\"rejected\"} 0")
                    .contains("archway_requests_total{backend_name=\"b\"");
            assertThat(server.status().servedVersion()).isEqualTo(2);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void l4ConnectionsAndSessionsCountBytesEachWayAndDuration() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerTrafficMetrics m = new MicrometerTrafficMetrics(registry);
        io.archway.snapshot.RouteOrigin db = new io.archway.snapshot.RouteOrigin("TCPRoute", "shop", "db", 0, null, 0);
        io.archway.snapshot.BackendOrigin mysql = new io.archway.snapshot.BackendOrigin("Service", "shop", "mysql", 3306);
        m.tcpConnectionClosed(db, mysql, 100, 2_000, 3_000_000);
        m.tcpConnectionClosed(db, mysql, 50, 0, 400_000_000);
        m.tcpConnectionClosed(null, null, 0, 0, 1_000); // no route: closed at once
        io.archway.snapshot.RouteOrigin dns = new io.archway.snapshot.RouteOrigin("UDPRoute", "net", "dns", 0, "main", 0);
        io.archway.snapshot.BackendOrigin coredns = new io.archway.snapshot.BackendOrigin("Service", "net", "coredns", 53);
        m.udpSessionClosed(dns, coredns, 40, 120, 60_000_000_000L);
        m.udpSessionEvicted(dns);
        m.udpDatagramDropped(53);
        m.udpDatagramDropped(53);
        m.tlsPassthroughRejected(443, io.archway.proxy.TrafficObserver.TlsRejection.UNKNOWN_SNI);
        m.tlsPassthroughRejected(443, io.archway.proxy.TrafficObserver.TlsRejection.UNKNOWN_SNI);
        m.tlsPassthroughRejected(443, io.archway.proxy.TrafficObserver.TlsRejection.NOT_TLS);

        String tcp = "backend_name=\"mysql\",backend_namespace=\"shop\",backend_port=\"3306\",route_kind=\"TCPRoute\","
                + "route_name=\"db\",route_namespace=\"shop\",rule=\"0\",transport=\"tcp\"";
        String udp = "backend_name=\"coredns\",backend_namespace=\"net\",backend_port=\"53\",route_kind=\"UDPRoute\","
                + "route_name=\"dns\",route_namespace=\"net\",rule=\"main\",transport=\"udp\"";
        String text = registry.scrape();
        assertThat(text).contains("archway_l4_connections_total{" + tcp + "} 2")
                .contains("archway_l4_bytes_total{" + tcp.replace("backend_port=\"3306\",", "backend_port=\"3306\",direction=\"from_client\",") + "} 150")
                .contains("archway_l4_bytes_total{" + tcp.replace("backend_port=\"3306\",", "backend_port=\"3306\",direction=\"to_client\",") + "} 2000")
                .contains("archway_l4_connection_duration_seconds_bucket{" + tcp + ",le=\"0.005\"} 1")
                .contains("archway_l4_connection_duration_seconds_count{" + tcp + "} 2")
                .contains("archway_l4_connections_total{backend_name=\"\",backend_namespace=\"\",backend_port=\"\","
                        + "route_kind=\"none\",route_name=\"\",route_namespace=\"\",rule=\"\",transport=\"tcp\"} 1")
                .contains("archway_l4_connections_total{" + udp + "} 1")
                .contains("archway_udp_session_evictions_total{route_kind=\"UDPRoute\",route_name=\"dns\",route_namespace=\"net\"} 1")
                .contains("archway_udp_datagrams_dropped_total{listener_port=\"53\"} 2")
                .contains("archway_tls_passthrough_rejected_total{listener_port=\"443\",reason=\"unknown_sni\"} 2")
                .contains("archway_tls_passthrough_rejected_total{listener_port=\"443\",reason=\"not_tls\"} 1");
    }
}
