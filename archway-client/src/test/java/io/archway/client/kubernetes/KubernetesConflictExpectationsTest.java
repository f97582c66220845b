package io.archway.client.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.archway.client.Mappers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mock server in expectations mode, constructed by hand: the API server answers the first
 * update with 409 Conflict; the client must read again and send its change based on the new
 * resourceVersion.
 */
class KubernetesConflictExpectationsTest {

    static final String PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/checkout";

    KubernetesMockServer server;
    KubernetesClient kube;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        kube = server.createClient();
    }

    @AfterEach
    void stop() {
        kube.close();
        server.destroy();
    }

    static HTTPRoute version(String rv) {
        HTTPRoute r = KubernetesArchwayClientTest.checkout();
        r.getMetadata().setResourceVersion(rv);
        return r;
    }

    @Test
    void conflictThenSuccess() throws Exception {
        server.expect().get().withPath(PATH).andReturn(200, version("1")).once();
        server.expect().put().withPath(PATH).andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
                .withMessage("the object has been modified").build()).once();
        server.expect().get().withPath(PATH).andReturn(200, version("2")).once();
        server.expect().put().withPath(PATH).andReturn(200, version("3")).once();

        new KubernetesArchwayClient(kube).setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(),
                Map.of("checkout-v1", 50, "checkout-v2", 50));

        List<HTTPRoute> puts = new ArrayList<>();
        for (int i = server.getRequestCount(); i > 0; i--) {
            RecordedRequest req = server.takeRequest();
            if (req.getMethod().equals("PUT")) {
                puts.add(Mappers.json().readValue(req.getBody().readUtf8(), HTTPRoute.class));
            }
        }
        assertThat(puts).extracting(p -> p.getMetadata().getResourceVersion()).containsExactly("1", "2");
        assertThat(puts.get(1).getSpec().getRules().get(0).getBackendRefs()).extracting(b -> b.getWeight()).containsExactly(50, 50);
    }
}
