package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.translate.golden.SpecCase;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * GatewayClass {@code status.supportedFeatures}: what we claim is what we publish, "sorted in
 * ascending alphabetical order" and unique (GatewayClassStatus), and every name is a feature of the
 * Gateway API release we implement. The golden files print this list by name only.
 */
class GatewayClassFeaturesTest {

    @Test
    void anAcceptedClassPublishesExactlyTheClaimedFeaturesSortedAndUnique() {
        final SpecCase c = SpecCase.of("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """);
        final GatewayClassStatus status = c.translation().status().gatewayClasses().entrySet().stream()
                .filter(e -> e.getKey().kind().equals("GatewayClass")).map(java.util.Map.Entry::getValue)
                .findFirst().orElseThrow();
        final List<String> published = status.getSupportedFeatures().stream().map(SupportedFeature::getName).toList();
        assertThat(published).isEqualTo(GatewayClassAcceptor.SUPPORTED_FEATURES);
        assertThat(published).isSorted().doesNotHaveDuplicates().contains("Gateway", "HTTPRoute");
    }

    @Test
    void everyClaimedFeatureIsAFeatureOfTheConformanceRelease() throws Exception {
        final Path index = List.of(Path.of("../../shared/conformance/index.json"), Path.of("../shared/conformance/index.json"))
                .stream().filter(Files::isRegularFile).findFirst().orElse(null);
        Assumptions.assumeTrue(index != null, "../shared/conformance is not beside the checkout");
        final JsonNode channels = new ObjectMapper().readTree(index.toFile()).path("feature_channels");
        final List<String> known = new ArrayList<>();
        channels.fieldNames().forEachRemaining(known::add);
        assertThat(known).isNotEmpty();
        assertThat(GatewayClassAcceptor.SUPPORTED_FEATURES).allMatch(known::contains,
                "a feature name of Gateway API v1.6.1");
    }
}
