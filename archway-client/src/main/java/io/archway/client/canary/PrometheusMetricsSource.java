package io.archway.client.canary;

import io.archway.client.Errors;
import io.archway.client.AdminAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the gateway's own metrics: {@code GET {admin}/metrics} in Prometheus text, summing
 * {@code archway_requests_total} (all and {@code status_class="5xx"}),
 * {@code archway_grpc_requests_total} with a server-error {@code grpc_status} ({@link #GRPC_SERVER_ERRORS})
 * and {@code archway_request_duration_seconds_bucket} over the series of one backend
 * ({@code backend_namespace}, {@code backend_name}); see docs/DESIGN.md, "Metrics".
 *
 * <p>A failed gRPC call is an HTTP 200 with an error grpc-status, so its 5xx count misses it: the
 * gRPC counter adds it. The two do not overlap: a call with a grpc-status (the gateway's own gRPC
 * answers included) is an HTTP 200, and a call answered 5xx carries no grpc-status.
 */
public final class PrometheusMetricsSource implements MetricsSource {

    static final String REQUESTS = "archway_requests_total";
    static final String DURATION_BUCKET = "archway_request_duration_seconds_bucket";
    static final String GRPC_REQUESTS = "archway_grpc_requests_total";
    /**
     * The gRPC codes that are the server's failure, those google/rpc/code.proto maps to an HTTP 5xx
     * (UNKNOWN and INTERNAL 500, UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504,
     * DATA_LOSS 500); the others (NOT_FOUND, INVALID_ARGUMENT, ...) answer the caller's request
     * as 4xx do and do not fail a canary.
     */
    static final java.util.Set<String> GRPC_SERVER_ERRORS = java.util.Set.of("UNKNOWN", "DEADLINE_EXCEEDED",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS");

    private final URI metricsUri;
    private final HttpClient http;

    /** For an admin address as typed, e.g. {@code 127.0.0.1:9901}; see {@link AdminAddress}. */
    public static PrometheusMetricsSource forAdmin(String address) {
        return new PrometheusMetricsSource(AdminAddress.parse(address));
    }

    /** @param admin the admin base address, e.g. {@code http://127.0.0.1:9901} */
    public PrometheusMetricsSource(URI admin) {
        this(admin, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    public PrometheusMetricsSource(URI admin, HttpClient http) {
        this.metricsUri = URI.create(admin.toString().replaceAll("/+$", "") + "/metrics");
        this.http = http;
    }

    @Override
    public MetricsSample sample(BackendKey backend) {
        String body;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metricsUri)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new MetricsUnavailableException("GET " + metricsUri + " answered " + response.statusCode(), null);
            }
            body = response.body();
        } catch (IOException e) {
            throw new MetricsUnavailableException("GET " + metricsUri + " failed: " + Errors.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetricsUnavailableException("interrupted while reading " + metricsUri, e);
        }
        return extract(PrometheusText.parse(body), backend);
    }

    /** Sums the backend's series out of a parsed scrape. */
    public static MetricsSample extract(List<PrometheusText.Sample> samples, BackendKey backend) {
        double requests = 0;
        double errors = 0;
        Map<Double, Double> buckets = new TreeMap<>();
        for (PrometheusText.Sample s : samples) {
            if (!backend.namespace().equals(s.label("backend_namespace")) || !backend.name().equals(s.label("backend_name"))
                    || Double.isNaN(s.value())) {
                continue;
            }
            if (REQUESTS.equals(s.name())) {
                requests += s.value();
                if ("5xx".equals(s.label("status_class"))) {
                    errors += s.value();
                }
            } else if (GRPC_REQUESTS.equals(s.name())) {
                if (GRPC_SERVER_ERRORS.contains(s.label("grpc_status"))) {
                    errors += s.value();
                }
            } else if (DURATION_BUCKET.equals(s.name()) && !s.label("le").isEmpty()) {
                buckets.merge(PrometheusText.parseValue(s.label("le")), s.value(), Double::sum);
            }
        }
        Map<Double, Long> counts = new TreeMap<>();
        buckets.forEach((le, v) -> counts.put(le, Math.round(v)));
        return new MetricsSample(Math.round(requests), Math.round(errors), counts);
    }
}
