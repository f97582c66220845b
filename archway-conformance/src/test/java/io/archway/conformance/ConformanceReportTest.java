package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConformanceReportTest {

    @Test
    void upstreamShapeAndCounts() {
        ConformanceReport r = new ConformanceReport(Map.of("GATEWAY-HTTP", Set.of("HTTPRouteCORS", "GatewayPort8080"),
                "GATEWAY-TLS", Set.of("TLSRouteModeMixed")), Set.of("Gateway", "HTTPRoute", "ReferenceGrant"));
        Map<String, String> both = Map.of("GATEWAY-HTTP", "core", "GATEWAY-TLS", "core");
        r.add(new ConformanceReport.Result("GatewayModifyListeners", ConformanceReport.Outcome.PASSED, both, "", false,
                List.of("line 52: GatewayMustHaveLatestConditions")));
        r.add(new ConformanceReport.Result("HTTPRouteWeight", ConformanceReport.Outcome.FAILED,
                Map.of("GATEWAY-HTTP", "core"), "x", false));
        r.add(new ConformanceReport.Result("HTTPRouteCORS", ConformanceReport.Outcome.SKIPPED,
                Map.of("GATEWAY-HTTP", "extended"), "unsupported", false));
        assertThat(r.summaryLines()).containsExactly("GATEWAY-HTTP: 1 passed, 1 failed, 1 skipped",
                "GATEWAY-TLS: 1 passed, 0 failed, 0 skipped");
        String yaml = r.toYaml("1.2.3", OffsetDateTime.parse("2026-11-22T05:00:00Z"));
        JsonNode doc = Json.readYamlDocuments(yaml).get(0);
        assertThat(doc.path("apiVersion").asText()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(doc.path("kind").asText()).isEqualTo("ConformanceReport");
        assertThat(doc.path("gatewayAPIVersion").asText()).isEqualTo("v1.6.1");
        assertThat(doc.path("gatewayAPIChannel").asText()).isEqualTo("standard");
        assertThat(doc.path("implementation").path("project").asText()).isEqualTo("archway");
        assertThat(doc.path("implementation").path("version").asText()).isEqualTo("1.2.3");
        JsonNode http = doc.path("profiles").get(0);
        assertThat(http.path("name").asText()).isEqualTo("GATEWAY-HTTP");
        assertThat(http.path("core").path("result").asText()).isEqualTo("failure");
        assertThat(http.path("core").path("statistics").path("Passed").asInt()).isEqualTo(1);
        assertThat(http.path("core").path("statistics").path("Failed").asInt()).isEqualTo(1);
        assertThat(http.path("core").path("failedTests").get(0).asText()).isEqualTo("HTTPRouteWeight");
        assertThat(http.path("extended").path("result").asText()).isEqualTo("partial");
        assertThat(http.path("extended").path("skippedTests").get(0).asText()).isEqualTo("HTTPRouteCORS");
        assertThat(http.path("extended").path("unsupportedFeatures").toString()).contains("GatewayPort8080", "HTTPRouteCORS");
        assertThat(http.path("extended").path("supportedFeatures").size()).isZero();
        assertThat(http.path("summary").asText()).isEqualTo(
                "Core tests failed with 1 test failures. Extended tests partially succeeded with 1 test skips.");
        JsonNode tls = doc.path("profiles").get(1);
        assertThat(tls.path("core").path("result").asText()).isEqualTo("success");
        assertThat(tls.has("extended")).isFalse();
        assertThat(List.of(yaml.split("\n"))).contains("date: \"2026-11-22T05:00Z\"");
    }

    @Test
    void aPassedTestNamesItsChecksInTheSideFile() {
        ConformanceReport r = new ConformanceReport(Map.of(), Set.of("Gateway"));
        r.add(new ConformanceReport.Result("B", ConformanceReport.Outcome.PASSED, Map.of("GATEWAY-HTTP", "core"), "",
                false, List.of("line 1: x", "GET http://h/ -> [200]")));
        r.add(new ConformanceReport.Result("A", ConformanceReport.Outcome.FAILED, Map.of("GATEWAY-HTTP", "core"), "no",
                false));
        JsonNode doc = Json.readYamlDocuments(r.checksYaml()).get(0);
        assertThat(doc.path("tests").size()).isEqualTo(1);
        assertThat(doc.path("tests").path("B").get(1).asText()).isEqualTo("GET http://h/ -> [200]");
        assertThat(ConformanceReport.checksFile(java.nio.file.Path.of("/t/conformance-report.yaml")))
                .isEqualTo(java.nio.file.Path.of("/t/conformance-report-checks.yaml"));
    }

    @Test
    void aTestThatExecutedNoCheckCannotBeRecordedAsPassed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ConformanceReport.Result("Empty",
                ConformanceReport.Outcome.PASSED, Map.of(), "", false, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without an executed check");
    }
}
