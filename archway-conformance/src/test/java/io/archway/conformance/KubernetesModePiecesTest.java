package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Kubernetes mode's small pieces: the Applier's address overlay, the report names. */
class KubernetesModePiecesTest {
    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gateway-static-addresses, namespace: gateway-conformance-infra}
            spec:
              gatewayClassName: "{GATEWAY_CLASS_NAME}"
              addresses:
              - {type: "test/fake-invalid-type", value: "fake address teehee!"}
              - {value: PLACEHOLDER_UNUSABLE_ADDRS}
              - {value: PLACEHOLDER_USABLE_ADDRS}
              listeners: [{name: http, port: 8080, protocol: HTTP}]
            """;

    @Test
    void theAddressPoolsReplaceThePlaceholdersInUpstreamOrder() {
        ObjectNode gw = Manifests.prepare(GATEWAY).get(0);
        assertThat(Manifests.overlayAddresses(gw, new Cluster.NetworkAddresses("127.0.9.9", "192.0.2.10"))).isTrue();
        assertThat(gw.path("spec").path("addresses").toString()).isEqualTo("[{\"type\":\"test/fake-invalid-type\","
                + "\"value\":\"fake address teehee!\"},{\"type\":\"IPAddress\",\"value\":\"192.0.2.10\"},"
                + "{\"type\":\"IPAddress\",\"value\":\"127.0.9.9\"}]");
    }

    @Test
    void emptyPoolsLeaveOnlyTheSpecialAddressesAndOtherGatewaysAreUntouched() {
        ObjectNode gw = Manifests.prepare(GATEWAY).get(0);
        assertThat(Manifests.overlayAddresses(gw, null)).isTrue();
        assertThat(gw.path("spec").path("addresses").size()).as("upstream with no --usable-address").isEqualTo(1);
        ObjectNode plain = Manifests.prepare(GATEWAY.replaceAll("(?s)  addresses:.*?(  listeners)", "$1")).get(0);
        assertThat(Manifests.overlayAddresses(plain, new Cluster.NetworkAddresses("127.0.9.9", "192.0.2.10"))).isFalse();
        assertThat(plain.path("spec").has("addresses")).isFalse();
    }

    @Test
    void kubernetesModeReportsBesideStandalone() {
        assertThat(Environment.Settings.kubernetesReport(Path.of("target/conformance-report.yaml")))
                .isEqualTo(Path.of("target/conformance-report-kubernetes.yaml"));
        assertThat(ConformanceReport.checksFile(Path.of("target/conformance-report-kubernetes.yaml")))
                .isEqualTo(Path.of("target/conformance-report-kubernetes-checks.yaml"));
    }
}
