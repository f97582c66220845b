package io.archway.client.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusMetricsSourceTest {

    static final String LABELS = "route_kind=\"HTTPRoute\",route_namespace=\"shop\",route_name=\"checkout\",rule=\"0\","
            + "backend_namespace=\"shop\",backend_name=\"checkout-v2\",backend_port=\"8080\"";
    static final String OTHER = "route_kind=\"HTTPRoute\",route_namespace=\"shop\",route_name=\"checkout\",rule=\"0\","
            + "backend_namespace=\"shop\",backend_name=\"checkout-v1\",backend_port=\"8080\"";

    static String scrape(long ok, long err, long b01, long b05, long inf) {
        return """
                # HELP archway_requests_total Requests served
                # TYPE archway_requests_total counter
                archway_requests_total{%1$s,status_class="2xx",} %2$d.0
                archway_requests_total{%1$s,status_class="5xx",} %3$d.0
                archway_requests_total{%6$s,status_class="5xx",} 999.0
                archway_requests_total{route_kind="none",route_namespace="",route_name="",rule="",backend_namespace="",backend_name="",backend_port="",status_class="4xx",} 12.0
                # TYPE archway_request_duration_seconds histogram
                archway_request_duration_seconds_bucket{%1$s,le="0.1",} %4$d
                archway_request_duration_seconds_bucket{%1$s,le="0.5",} %5$d
                archway_request_duration_seconds_bucket{%1$s,le="+Inf",} %7$d
                archway_request_duration_seconds_bucket{%6$s,le="0.1",} 0
                archway_request_duration_seconds_bucket{%6$s,le="+Inf",} 999
                archway_request_duration_seconds_count{%1$s,} %7$d
                archway_request_duration_seconds_sum{%1$s,} 12.5
                archway_snapshot_version 7
                """.formatted(LABELS, ok, err, b01, b05, OTHER, inf);
    }

    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void parsesLabelsEscapesSpecialValuesAndTimestamps() {
        List<PrometheusText.Sample> s = PrometheusText.parse("""
                # comment
                a_total{x="q\\"uo\\\\te",y="line\\nbreak"} 3 1700000000000
                b{le="+Inf"} +Inf
                c NaN
                d{ x = "1" , } -Inf
                broken{x="unterminated 1
                e 1e3
                """);
        assertThat(s).extracting(PrometheusText.Sample::name).containsExactly("a_total", "b", "c", "d", "e");
        assertThat(s.get(0).labels()).isEqualTo(Map.of("x", "q\"uo\\te", "y", "line\nbreak"));
        assertThat(s.get(0).value()).isEqualTo(3);
        assertThat(s.get(1).value()).isInfinite();
        assertThat(s.get(2).value()).isNaN();
        assertThat(s.get(3).label("x")).isEqualTo("1");
        assertThat(s.get(3).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s.get(4).value()).isEqualTo(1000);
        assertThat(s.get(4).label("missing")).isEmpty();
    }

    @Test
    void extractsOnlyTheBackendsSeries() {
        MetricsSample m = PrometheusMetricsSource.extract(PrometheusText.parse(scrape(90, 10, 50, 95, 100)), new BackendKey("shop", "checkout-v2"));
        assertThat(m.requests()).isEqualTo(100);
        assertThat(m.errors()).isEqualTo(10);
        assertThat(m.errorRate()).isEqualTo(0.1);
        assertThat(m.buckets()).containsExactlyInAnyOrderEntriesOf(Map.of(0.1, 50L, 0.5, 95L, Double.POSITIVE_INFINITY, 100L));
        assertThat(PrometheusMetricsSource.extract(PrometheusText.parse(scrape(1, 1, 1, 1, 1)), new BackendKey("other", "checkout-v2")))
                .isEqualTo(MetricsSample.empty());
    }

    /**
     * A GRPCRoute's backend: every call is an HTTP 200, so the failures are the calls whose
     * grpc-status is a server error (UNAVAILABLE, INTERNAL, ...); a caller's error (NOT_FOUND)
     * and OK do not count, nor another backend's UNAVAILABLE.
     */
    @Test
    void grpcCallsFailOnAServerErrorStatus() {
        String grpc = LABELS.replace("HTTPRoute", "GRPCRoute");
        String text = """
                archway_requests_total{%1$s,status_class="2xx",} 200.0
                archway_grpc_requests_total{%1$s,grpc_status="OK",} 170.0
                archway_grpc_requests_total{%1$s,grpc_status="NOT_FOUND",} 20.0
                archway_grpc_requests_total{%1$s,grpc_status="UNAVAILABLE",} 6.0
                archway_grpc_requests_total{%1$s,grpc_status="INTERNAL",} 3.0
                archway_grpc_requests_total{%1$s,grpc_status="DEADLINE_EXCEEDED",} 1.0
                archway_grpc_requests_total{%2$s,grpc_status="UNAVAILABLE",} 999.0
                """.formatted(grpc, OTHER);
        MetricsSample m = PrometheusMetricsSource.extract(PrometheusText.parse(text), new BackendKey("shop", "checkout-v2"));
        assertThat(m.requests()).isEqualTo(200);
        assertThat(m.errors()).isEqualTo(10);
        assertThat(m.errorRate()).isEqualTo(0.05);
    }

    @Test
    void quantilesInterpolateInsideTheBucket() {
        MetricsSample m = new MetricsSample(100, 0, Map.of(0.1, 50L, 0.5, 90L, 1.0, 100L, Double.POSITIVE_INFINITY, 100L));
        // rank 99 lies in (0.5, 1.0] holding 10 observations from 90: 0.5 + 0.5 * 9/10
        assertThat(m.p99()).contains(Duration.ofMillis(950));
        assertThat(m.quantile(0.5)).contains(Duration.ofMillis(100));
        assertThat(m.quantile(0.25)).contains(Duration.ofMillis(50));
        // a rank in the +Inf bucket answers the highest finite bound
        MetricsSample slow = new MetricsSample(10, 0, Map.of(0.1, 0L, 0.5, 0L, Double.POSITIVE_INFINITY, 10L));
        assertThat(slow.p99()).contains(Duration.ofMillis(500));
        assertThat(MetricsSample.empty().p99()).isEmpty();
    }

    @Test
    void deltasBetweenScrapesAndCounterResets() {
        MetricsSample before = new MetricsSample(100, 10, Map.of(0.1, 50L, Double.POSITIVE_INFINITY, 100L));
        MetricsSample after = new MetricsSample(300, 12, Map.of(0.1, 60L, Double.POSITIVE_INFINITY, 300L));
        MetricsSample d = after.since(before);
        assertThat(d.requests()).isEqualTo(200);
        assertThat(d.errors()).isEqualTo(2);
        assertThat(d.errorRate()).isEqualTo(0.01);
        assertThat(d.buckets()).containsExactlyInAnyOrderEntriesOf(Map.of(0.1, 10L, Double.POSITIVE_INFINITY, 200L));
        // 190 of 200 requests slower than 0.1s, no finite bound above it: p99 is the highest finite bound
        assertThat(d.p99()).contains(Duration.ofMillis(100));
        MetricsSample restarted = new MetricsSample(5, 0, Map.of(0.1, 5L, Double.POSITIVE_INFINITY, 5L));
        assertThat(restarted.since(after)).isEqualTo(restarted);
    }

    @Test
    void scrapesTheAdminEndpointOverHttp() throws IOException {
        AtomicReference<String> body = new AtomicReference<>(scrape(90, 10, 50, 95, 100));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", ex -> {
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        URI admin = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        PrometheusMetricsSource source = new PrometheusMetricsSource(admin);
        BackendKey canary = new BackendKey("shop", "checkout-v2");

        MetricsSample first = source.sample(canary);
        body.set(scrape(190, 11, 140, 190, 201));
        MetricsSample window = source.sample(canary).since(first);

        assertThat(window.requests()).isEqualTo(101);
        assertThat(window.errors()).isEqualTo(1);
        assertThat(window.buckets().get(0.1)).isEqualTo(90);
        server.stop(0);
        server = null;
        assertThatThrownBy(() -> source.sample(canary)).isInstanceOf(MetricsUnavailableException.class);
    }
}
