package io.archway.client.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.client.ArchwayClient;
import io.archway.client.ClientMode;
import io.archway.client.ConcurrentEditException;
import io.archway.client.InvalidWeightsException;
import io.archway.client.ResourceExistsException;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.archway.client.canary.BackendKey;
import io.archway.client.canary.CanaryOutcome;
import io.archway.client.canary.CanaryPlan;
import io.archway.client.canary.CanaryResult;
import io.archway.client.canary.CanaryRunner;
import io.archway.client.canary.MetricsSample;
import io.archway.client.canary.MetricsSource;
import io.archway.client.canary.Sleeper;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesArchwayClientTest {

    KubernetesClient kube;
    KubernetesArchwayClient client;

    static HTTPRoute checkout() {
        return new HTTPRouteBuilder().withNewMetadata().withName("checkout").withNamespace("shop").endMetadata()
                .withNewSpec().addNewParentRef().withName("edge").endParentRef()
                .addNewRule()
                .addNewBackendRef().withName("checkout-v1").withPort(8080).withWeight(90).endBackendRef()
                .addNewBackendRef().withName("checkout-v2").withPort(8080).endBackendRef()
                .endRule().endSpec().build();
    }

    @BeforeEach
    void setUp() {
        client = (KubernetesArchwayClient) ArchwayClient.forKubernetes(kube);
        client.createHttpRoute(checkout());
    }

    @Test
    void crudOfHttpRoutes() {
        assertThat(client.mode()).isEqualTo(ClientMode.KUBERNETES);
        HTTPRoute got = client.getHttpRoute("shop", "checkout").orElseThrow();
        assertThat(got.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(client.listHttpRoutes(null)).extracting(r -> r.getMetadata().getName()).containsExactly("checkout");
        assertThat(client.listHttpRoutes("other")).isEmpty();
        assertThatThrownBy(() -> client.createHttpRoute(checkout())).isInstanceOf(ResourceExistsException.class);

        got.getMetadata().setLabels(Map.of("team", "payments"));
        HTTPRoute updated = client.updateHttpRoute(got);
        assertThat(updated.getMetadata().getLabels()).containsEntry("team", "payments");
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getMetadata().getLabels()).containsEntry("team", "payments");

        assertThat(client.deleteHttpRoute("shop", "checkout")).isTrue();
        assertThat(client.getHttpRoute("shop", "checkout")).isEmpty();
        assertThat(client.deleteHttpRoute("shop", "checkout")).isFalse();
    }

    @Test
    void crudOfGrpcRoutesAndListOfGateways() {
        GRPCRoute g = new GRPCRouteBuilder().withNewMetadata().withName("greeter").withNamespace("shop").endMetadata()
                .withNewSpec().addNewRule().addNewBackendRef().withName("g1").withPort(9000).endBackendRef()
                .addNewBackendRef().withName("g2").withPort(9000).withWeight(0).endBackendRef().endRule().endSpec().build();
        client.createGrpcRoute(g);
        kube.resources(Gateway.class).inNamespace("shop")
                .resource(new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("shop").endMetadata()
                        .withNewSpec().withGatewayClassName("archway").endSpec().build()).create();

        assertThat(client.listGateways("shop")).extracting(x -> x.getMetadata().getName()).containsExactly("edge");
        assertThat(client.listGrpcRoutes(null)).hasSize(1);
        client.setWeights(RouteRef.grpc("shop", "greeter"), RuleSelector.auto(), Map.of("g1", 50, "g2", 50));
        assertThat(client.getGrpcRoute("shop", "greeter").orElseThrow().getSpec().getRules().get(0).getBackendRefs())
                .extracting(GRPCBackendRef::getWeight).containsExactly(50, 50);
        GRPCRoute got = client.getGrpcRoute("shop", "greeter").orElseThrow();
        got.getMetadata().setLabels(Map.of("x", "y"));
        client.updateGrpcRoute(got);
        assertThat(client.deleteGrpcRoute("shop", "greeter")).isTrue();
    }

    @Test
    void setWeightsWritesTheRule() {
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), Map.of("checkout-v1", 75, "checkout-v2", 25));
        assertThat(weights()).containsExactly(75, 25);
    }

    @Test
    void setWeightsErrorsChangeNothing() {
        String rv = client.getHttpRoute("shop", "checkout").orElseThrow().getMetadata().getResourceVersion();
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "checkout"), null, Map.of("nope", 1)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("known backends: checkout-v1, checkout-v2");
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "checkout"), null, Map.of("checkout-v1", 0, "checkout-v2", 0)))
                .isInstanceOf(InvalidWeightsException.class);
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "missing"), null, Map.of("a", 1)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getMetadata().getResourceVersion()).isEqualTo(rv);
    }

    @Test
    void weightChangeMeetingA409ConflictRetriesOnAFreshRead() {
        AtomicInteger attempts = new AtomicInteger();
        client.beforeUpdate(ref -> {
            if (attempts.incrementAndGet() == 1) {
                // Someone else writes between our read and our update: the resourceVersion moves on.
                HTTPRoute theirs = kube.resources(HTTPRoute.class).inNamespace("shop").withName("checkout").get();
                theirs.getMetadata().setLabels(Map.of("edited-by", "someone-else"));
                kube.resources(HTTPRoute.class).inNamespace("shop").resource(theirs).update();
            }
        });
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), Map.of("checkout-v1", 50, "checkout-v2", 50));

        assertThat(attempts).hasValue(2);
        HTTPRoute now = kube.resources(HTTPRoute.class).inNamespace("shop").withName("checkout").get();
        assertThat(now.getMetadata().getLabels()).containsEntry("edited-by", "someone-else");
        assertThat(weights()).containsExactly(50, 50);
    }

    @Test
    void persistentConflictGivesUpAfterMaxAttempts() {
        KubernetesArchwayClient limited = new KubernetesArchwayClient(kube, 3);
        AtomicInteger attempts = new AtomicInteger();
        limited.beforeUpdate(ref -> {
            attempts.incrementAndGet();
            HTTPRoute theirs = kube.resources(HTTPRoute.class).inNamespace("shop").withName("checkout").get();
            theirs.getMetadata().setLabels(Map.of("n", Integer.toString(attempts.get())));
            kube.resources(HTTPRoute.class).inNamespace("shop").resource(theirs).update();
        });
        assertThatThrownBy(() -> limited.setWeights(RouteRef.http("shop", "checkout"), null, Map.of("checkout-v1", 1)))
                .isInstanceOf(ConcurrentEditException.class).hasMessageContaining("3 attempts");
        assertThat(attempts).hasValue(3);
        assertThat(weights()).containsExactly(90, null);
    }

    @Test
    void updateWithAStaleResourceVersionIsRefused() {
        HTTPRoute stale = client.getHttpRoute("shop", "checkout").orElseThrow();
        client.setWeights(RouteRef.http("shop", "checkout"), null, Map.of("checkout-v1", 10));
        stale.getMetadata().setLabels(Map.of("late", "true"));
        assertThatThrownBy(() -> client.updateHttpRoute(stale)).isInstanceOf(ConcurrentEditException.class);
        assertThat(weights()).containsExactly(10, null);
    }

    private List<Integer> weights() {
        return kube.resources(HTTPRoute.class).inNamespace("shop").withName("checkout").get()
                .getSpec().getRules().get(0).getBackendRefs().stream().map(HTTPBackendRef::getWeight).toList();
    }

    @Test
    void canaryRunsAgainstTheApiServerAndRollsBackOnErrors() {
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Sleeper sleeper = d -> {
            int canary = weights().get(1);
            requests.addAndGet(10L * canary);
            errors.addAndGet(canary >= 50 ? canary : 0); // 10% errors from 50% on
        };
        MetricsSource metrics = key -> {
            assertThat(key).isEqualTo(new BackendKey("shop", "checkout-v2"));
            return new MetricsSample(requests.get(), errors.get(), Map.of());
        };
        CanaryResult r = new CanaryRunner(client, metrics,
                Clock.systemUTC(), sleeper, null, null, Duration.ofSeconds(30))
                .run(CanaryPlan.of(RouteRef.http("shop", "checkout"), "checkout-v1", "checkout-v2"));
        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(r.observations()).extracting(o -> o.canaryWeight()).containsExactly(5, 10, 25, 50);
        assertThat(weights()).containsExactly(100, 0);
    }
}
