package io.archway.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's cluster walkthrough (examples/kubernetes, the seeds' httpbin Gateway and HPA) on the
 * chart's rendering, against the mock API server: the provisioner gives the Gateway the Deployment
 * the seeds' HPA targets, with the pods its PodDisruptionBudget selects and the CPU request a CPU
 * target needs, and a Service exposing the listener port.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesExamplesTest {
    static final Path EXAMPLES = HelmChartTest.DEPLOY.resolveSibling("examples").resolve("kubernetes");

    KubernetesClient kube;

    static List<HasMetadata> load(String file) throws IOException {
        return HelmChartTest.parse(Files.readString(EXAMPLES.resolve(file)));
    }

    @Test
    void theSeedsHpaAndPdbFitTheProvisionedDataPlane() throws IOException {
        final List<HasMetadata> chart = HelmChartTest.parse(HelmChartTest.render(Map.of()));
        final ProvisionerConfig config = ProvisionerConfig.parse(
                HelmChartTest.one(chart, ConfigMap.class, "archway-provisioner").getData().get("provisioner.yaml"));
        kube.resource(HelmChartTest.one(chart, GatewayClass.class, "archway")).create();
        for (HasMetadata object : load("gateway.yaml")) {
            kube.resource(object).create();
        }
        final List<HasMetadata> httpbin = load("httpbin.yaml");
        final List<HasMetadata> scaling = load("gateway-hpa-pdb.yaml");

        new GatewayProvisioner(kube, config, Duration.ofMinutes(10)).reconcileAll();

        final HorizontalPodAutoscaler hpa = HelmChartTest.one(scaling, HorizontalPodAutoscaler.class, "gateway");
        final Deployment deployment = kube.apps().deployments().inNamespace(hpa.getMetadata().getNamespace())
                .withName(hpa.getSpec().getScaleTargetRef().getName()).get();
        assertThat(deployment).as("the Deployment the HPA scales").isNotNull();
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                .containsKey("cpu");
        final PodDisruptionBudget pdb = HelmChartTest.one(scaling, PodDisruptionBudget.class, "gateway");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());

        final Service service = kube.services().inNamespace("archway-ingress").withName("gateway").get();
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort() + "/" + p.getProtocol()).containsExactly("80/TCP");
        final HTTPRoute route = kube.resources(HTTPRoute.class).inNamespace("default").withName("http").get();
        final Service backend = HelmChartTest.one(httpbin, Service.class, "httpbin");
        assertThat(backend.getSpec().getPorts()).extracting(p -> p.getPort())
                .contains(route.getSpec().getRules().get(0).getBackendRefs().get(0).getPort());
    }
}
