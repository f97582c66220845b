package io.archway.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.ResourceStore;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A provisioned data-plane pod ({@code serve --kubernetes --gateway NS/NAME}) reads its Gateway alone. */
class KubernetesSourceGatewayTest {
    private final MockCluster cluster = new MockCluster();
    private final KubernetesClient kube = cluster.client();
    private final ResourceStore store = new ResourceStore();
    private KubernetesSource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        kube.close();
        cluster.close();
    }

    private static Gateway gateway(String ns, String name) {
        return new GatewayBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withGatewayClassName("archway").addNewListener().withName("http").withPort(80)
                .withProtocol("HTTP").endListener().endSpec().build();
    }

    @Test
    void onlyTheNamedGatewayIsReadAndEverythingElseIs() throws Exception {
        kube.resource(gateway("edge", "gateway")).create();
        kube.resource(gateway("edge", "other")).create();
        kube.resource(gateway("shop", "gateway")).create();
        kube.resource(new HTTPRouteBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
                .withNewSpec().addNewParentRef().withName("other").withNamespace("edge").endParentRef().endSpec().build())
                .create();
        final ResourceKey served = new ResourceKey("Gateway", "edge", "gateway");
        source = new KubernetesSource(kube, store, new KubernetesSource.Options(Set.of(), Duration.ofMillis(50),
                Duration.ofMillis(300), served), () -> { });
        source.start().get(20, TimeUnit.SECONDS);

        assertThat(store.keys()).contains(served, new ResourceKey("HTTPRoute", "shop", "web"))
                .doesNotContain(new ResourceKey("Gateway", "edge", "other"), new ResourceKey("Gateway", "shop", "gateway"));
        assertThat(store.view().gateways()).extracting(g -> g.getMetadata().getName()).containsExactly("gateway");

        kube.resources(Gateway.class).inNamespace("edge").withName("gateway").delete();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (store.keys().contains(served)) {
            assertThat(System.nanoTime()).as("the served Gateway's deletion reaches the store").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(store.view().gateways()).isEmpty();
    }
}
