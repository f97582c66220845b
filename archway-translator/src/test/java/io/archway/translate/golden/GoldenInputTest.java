package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The golden reader is strict, so a typo in a golden input cannot silently test nothing. */
class GoldenInputTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @Test
    void unknownFieldFails() {
        assertThatThrownBy(() -> GoldenInput.read(GOLDEN, "typo.in.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    port: 80
                    protocol: HTTP
                    hostnme: typo.example.com
                """)).hasMessageContaining("typo.in.yaml:1").hasMessageContaining("hostnme");
    }

    @Test
    void unexpectedKindFails() {
        assertThatThrownBy(() -> GoldenInput.read(GOLDEN, "kind.in.yaml", "apiVersion: v1\nkind: Gadget\n"
                + "metadata: {name: x}\n")).hasMessageContaining("unexpected kind Gadget");
    }

    @Test
    void documentsGetGenerationOneAndLocations() throws Exception {
        final GoldenInput input = GoldenInput.read(GOLDEN, "x.in.yaml", """
                # comment
                apiVersion: v1
                kind: Namespace
                metadata: {name: a}
                ---
                ---
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: HTTPRoute
                metadata: {name: r, namespace: a, generation: 4}
                """);
        assertThat(input.view.namespaces().get(0).getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(input.view.httpRoutes().get(0).getMetadata().getGeneration()).isEqualTo(4L);
        assertThat(input.view.locationOf(new io.archway.translate.ResourceKey("HTTPRoute", "a", "r")))
                .hasValueSatisfying(l -> assertThat(l.line()).isEqualTo(7));
    }
}
