package io.archway.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * ResourceKey and TranslatorOptions write out equals and hashCode (start-up, docs/PERFORMANCE.md
 * session 8): every component counts, and the hash is the one a record generates (31 * previous +
 * component), so that hash-map orders are those of before.
 */
class ResourceKeyTest {
    @Test
    void aKeyEqualsAnotherOfTheSameKindNamespaceAndName() {
        ResourceKey key = new ResourceKey("HTTPRoute", "default", "app");
        assertThat(key).isEqualTo(new ResourceKey("HTTPRoute", "default", "app"))
                .isNotEqualTo(new ResourceKey("GRPCRoute", "default", "app"))
                .isNotEqualTo(new ResourceKey("HTTPRoute", "other", "app"))
                .isNotEqualTo(new ResourceKey("HTTPRoute", "default", "web"))
                .hasSameHashCodeAs(new ResourceKey("HTTPRoute", "default", "app"));
        assertThat(new ResourceKey("GatewayClass", null, "archway")).isEqualTo(new ResourceKey("GatewayClass", "", "archway"));
        assertThat(key.hashCode())
                .isEqualTo(("HTTPRoute".hashCode() * 31 + "default".hashCode()) * 31 + "app".hashCode());
    }

    @Test
    void optionsEqualWhenEveryOptionIs() {
        GatewayAddressing shared = new GatewayAddressing.Shared("0.0.0.0");
        TranslatorOptions options = new TranslatorOptions("archway.io/gateway-controller", shared, true);
        assertThat(options).isEqualTo(new TranslatorOptions("archway.io/gateway-controller", shared, true))
                .isNotEqualTo(new TranslatorOptions("example.com/other", shared, true))
                .isNotEqualTo(new TranslatorOptions("archway.io/gateway-controller",
                        new GatewayAddressing.Shared("127.0.0.1"), true))
                .isNotEqualTo(new TranslatorOptions("archway.io/gateway-controller", shared, false))
                .hasSameHashCodeAs(new TranslatorOptions("archway.io/gateway-controller", shared, true));
        assertThat(options.hashCode()).isEqualTo(("archway.io/gateway-controller".hashCode() * 31
                + shared.hashCode()) * 31 + Boolean.hashCode(true));
    }
}
