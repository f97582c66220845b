package io.archway.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.file.ManifestLoader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;

class CompactModelTest {
    private static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: default, labels: {app: web}}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [a.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /a}}]
                filters:
                - type: ResponseHeaderModifier
                  responseHeaderModifier: {set: [{name: x-variant, value: "0"}]}
                backendRefs: [{name: svc, port: 80, weight: 1}]
            """;

    private static HTTPRoute load() {
        return (HTTPRoute) new ManifestLoader().parse("r.yaml", ROUTE).objects().get(0).object();
    }

    /** The store keeps every model object of a route without its own empty map, and reads the same. */
    @Test
    void emptyMapsAreSharedAndTheObjectReadsTheSame() {
        HTTPRoute route = load();
        String before = KubeJson.mapper().valueToTree(route).toString();
        CompactModel.compact(route);
        var rule = route.getSpec().getRules().get(0);
        assertThat(route.getAdditionalProperties()).isSameAs(route.getSpec().getAdditionalProperties())
                .isSameAs(route.getMetadata().getAdditionalProperties())
                .isSameAs(rule.getMatches().get(0).getPath().getAdditionalProperties())
                .isSameAs(rule.getFilters().get(0).getResponseHeaderModifier().getSet().get(0).getAdditionalProperties())
                .isSameAs(rule.getBackendRefs().get(0).getAdditionalProperties())
                .isEmpty();
        assertThat(route.getMetadata().getLabels()).containsEntry("app", "web");
        assertThat(KubeJson.mapper().valueToTree(route).toString()).isEqualTo(before);
        assertThat(route).isEqualTo(load());
        assertThat(KubeJson.deepCopy(route)).isEqualTo(route);
    }
}
