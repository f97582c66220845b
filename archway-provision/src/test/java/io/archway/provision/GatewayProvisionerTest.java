package io.archway.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Provisioning against fabric8's mock API server in CRUD mode (no garbage collector, no defaulting). */
@EnableKubernetesMockClient(crud = true)
class GatewayProvisionerTest {
    static final String CONTROLLER = "archway.io/gateway-controller";
    static final String NS = "edge";

    /** One mock API server for the class (static), emptied before each test. */
    static KubernetesClient kube;
    GatewayProvisioner provisioner;

    @BeforeEach
    void setUp() {
        kube.resources(Gateway.class).inAnyNamespace().delete();
        kube.resources(ListenerSet.class).inAnyNamespace().delete();
        kube.resources(GatewayClass.class).delete();
        kube.apps().deployments().inAnyNamespace().delete();
        kube.services().inAnyNamespace().delete();
        kube.serviceAccounts().inAnyNamespace().delete();
        kube.rbac().clusterRoleBindings().delete();
        kube.namespaces().delete();
        kube.resource(new GatewayClassBuilder().withNewMetadata().withName("archway").endMetadata()
                .withNewSpec().withControllerName(CONTROLLER).endSpec().build()).create();
        kube.resource(new GatewayClassBuilder().withNewMetadata().withName("other").endMetadata()
                .withNewSpec().withControllerName("example.com/other").endSpec().build()).create();
        kube.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        provisioner = new GatewayProvisioner(kube, ProvisionerConfig.defaults(CONTROLLER, "archway:test"),
                Duration.ofMinutes(10));
    }

    static GatewayBuilder gateway() {
        return new GatewayBuilder().withNewMetadata().withName("gateway").withNamespace(NS).endMetadata()
                .withNewSpec().withGatewayClassName("archway")
                .addNewListener().withName("http").withPort(80).withProtocol("HTTP").endListener()
                .addNewListener().withName("http-other").withHostname("other.example.com").withPort(80).withProtocol("HTTP").endListener()
                .addNewListener().withName("https").withPort(443).withProtocol("HTTPS").endListener()
                .addNewListener().withName("dns").withPort(53).withProtocol("UDP").endListener()
                .withNewInfrastructure().withLabels(Map.of("team", "edge", "tier", "public"))
                .withAnnotations(Map.of("example.com/owner", "platform")).endInfrastructure()
                .endSpec();
    }

    Gateway create(Gateway gateway) {
        return kube.resource(gateway).create();
    }

    Deployment deployment() {
        return kube.apps().deployments().inNamespace(NS).withName("gateway").get();
    }

    Service service() {
        return kube.services().inNamespace(NS).withName("gateway").get();
    }

    ClusterRoleBinding binding() {
        return kube.rbac().clusterRoleBindings().withName("archway-data-plane:edge:gateway").get();
    }

    static List<String> ports(Service service) {
        return service.getSpec().getPorts().stream().map(p -> p.getName() + ":" + p.getPort() + "/" + p.getProtocol()
                + "->" + p.getTargetPort().getIntVal()).toList();
    }

    @Test
    void createsTheDataPlaneOwnedByTheGateway() {
        final Gateway gateway = create(gateway().build());
        provisioner.reconcile(NS, "gateway");

        final Deployment deployment = deployment();
        final Service service = service();
        for (HasMetadata object : List.of(deployment, service, kube.serviceAccounts().inNamespace(NS).withName("gateway").get())) {
            assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
                assertThat(owner.getKind()).isEqualTo("Gateway");
                assertThat(owner.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
                assertThat(owner.getName()).isEqualTo("gateway");
                assertThat(owner.getUid()).isEqualTo(gateway.getMetadata().getUid()).isNotBlank();
                assertThat(owner.getController()).isTrue();
            });
        }
        // listener ports, deduplicated (two HTTP listeners on 80), UDP as UDP
        assertThat(ports(service)).containsExactly("udp-53:53/UDP->53", "tcp-80:80/TCP->80", "tcp-443:443/TCP->443");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels())
                .containsEntry("gateway.networking.k8s.io/gateway-name", "gateway");

        final var pod = deployment.getSpec().getTemplate().getSpec();
        final var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("archway:test");
        assertThat(container.getArgs()).containsSequence("serve", "--kubernetes", "--gateway", "edge/gateway");
        assertThat(container.getPorts()).extracting(ContainerPort::getContainerPort).containsExactly(53, 80, 443, 9901);
        assertThat(pod.getServiceAccountName()).isEqualTo("gateway");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);

        final ClusterRoleBinding binding = binding();
        assertThat(binding.getRoleRef().getName()).isEqualTo("archway-data-plane");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getNamespace()).isEqualTo(NS);
            assertThat(s.getName()).isEqualTo("gateway");
        });
    }

    @Test
    void propagatesInfrastructureLabelsAndAnnotations() {
        create(gateway().build());
        provisioner.reconcile(NS, "gateway");

        final Deployment deployment = deployment();
        final List<HasMetadata> objects = List.of(deployment, service(), binding(),
                kube.serviceAccounts().inNamespace(NS).withName("gateway").get());
        for (HasMetadata object : objects) {
            assertThat(object.getMetadata().getLabels()).as(object.getKind())
                    .containsEntry("team", "edge").containsEntry("tier", "public")
                    .containsEntry("gateway.networking.k8s.io/gateway-name", "gateway");
            assertThat(object.getMetadata().getAnnotations()).as(object.getKind()).containsEntry("example.com/owner", "platform");
        }
        // the pods too (GatewayInfrastructure lists ServiceAccounts, Pods and Services by the gateway-name label)
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "edge");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.com/owner", "platform");
        assertThat(kube.services().inNamespace(NS).withLabel("gateway.networking.k8s.io/gateway-name", "gateway").list().getItems())
                .hasSize(1);
    }

    @Test
    void writesNothingWhenNothingChanged() {
        create(gateway().build());
        provisioner.reconcile(NS, "gateway");
        final String deploymentVersion = deployment().getMetadata().getResourceVersion();
        final String serviceVersion = service().getMetadata().getResourceVersion();
        final String bindingVersion = binding().getMetadata().getResourceVersion();

        provisioner.reconcile(NS, "gateway");
        provisioner.reconcileAll();

        assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(deploymentVersion);
        assertThat(service().getMetadata().getResourceVersion()).isEqualTo(serviceVersion);
        assertThat(binding().getMetadata().getResourceVersion()).isEqualTo(bindingVersion);
    }

    @Test
    void updatesWhenTheGatewayChangesAndKeepsWhatOthersOwn() {
        create(gateway().build());
        provisioner.reconcile(NS, "gateway");
        // an HPA scales the Deployment; the API server allocated a cluster IP and node ports
        kube.apps().deployments().inNamespace(NS).withName("gateway").edit(d -> new DeploymentBuilder(d)
                .editSpec().withReplicas(3).endSpec().build());
        kube.services().inNamespace(NS).withName("gateway").edit(s -> {
            s.getSpec().setClusterIP("10.96.0.36");
            s.getSpec().getPorts().forEach(p -> p.setNodePort(30_000 + p.getPort()));
            return s;
        });

        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").edit(g -> new GatewayBuilder(g).editSpec()
                .withListeners(g.getSpec().getListeners().get(0))
                .addNewListener().withName("tcp").withPort(8443).withProtocol("TCP").endListener()
                .editInfrastructure().withLabels(Map.of("team", "platform")).withAnnotations(Map.of()).endInfrastructure()
                .endSpec().build());
        provisioner.reconcile(NS, "gateway");

        final Service service = service();
        assertThat(ports(service)).containsExactly("tcp-80:80/TCP->80", "tcp-8443:8443/TCP->8443");
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getNodePort).containsExactly(30_080, null);
        assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.36");
        assertThat(service.getMetadata().getLabels()).containsEntry("team", "platform").doesNotContainKey("tier");
        assertThat(service.getMetadata().getAnnotations()).doesNotContainKey("example.com/owner");

        final Deployment deployment = deployment();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(ContainerPort::getContainerPort).containsExactly(80, 8443, 9901);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform")
                .doesNotContainKey("tier");
    }

    @Test
    void garbageCollectsWhenTheGatewayIsDeletedOrLeavesOurClass() {
        create(gateway().build());
        provisioner.reconcile(NS, "gateway");
        assertThat(deployment()).isNotNull();

        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").edit(g -> new GatewayBuilder(g).editSpec()
                .withGatewayClassName("other").endSpec().build());
        provisioner.reconcile(NS, "gateway");
        assertGone();

        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").edit(g -> new GatewayBuilder(g).editSpec()
                .withGatewayClassName("archway").endSpec().build());
        provisioner.reconcile(NS, "gateway");
        assertThat(deployment()).isNotNull();

        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").delete();
        provisioner.reconcileAll(); // finds the orphans by their labels
        assertGone();
    }

    void assertGone() {
        assertThat(deployment()).isNull();
        assertThat(service()).isNull();
        assertThat(kube.serviceAccounts().inNamespace(NS).withName("gateway").get()).isNull();
        assertThat(binding()).isNull();
    }

    @Test
    void leavesAnObjectOfTheSameNameThatIsNotOursAlone() {
        kube.resource(new DeploymentBuilder().withNewMetadata().withName("gateway").withNamespace(NS)
                .withLabels(Map.of("app", "mine")).endMetadata().withNewSpec().withReplicas(2).endSpec().build()).create();
        create(gateway().build());
        provisioner.reconcile(NS, "gateway");
        assertThat(deployment().getMetadata().getLabels()).isEqualTo(Map.of("app", "mine"));
        assertThat(service()).isNotNull();

        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").delete();
        provisioner.reconcile(NS, "gateway");
        assertThat(deployment()).isNotNull();
        assertThat(service()).isNull();
    }

    @Test
    void exposesThePortsOfTheListenerSetsTheGatewayAdmits() {
        create(gateway().editSpec().withNewAllowedListeners().withNewNamespaces().withFrom("Same").endNamespaces()
                .endAllowedListeners().endSpec().build());
        kube.resource(new ListenerSetBuilder().withNewMetadata().withName("extra").withNamespace(NS).endMetadata()
                .withNewSpec().withNewParentRef().withName("gateway").endParentRef()
                .addNewListener().withName("alt").withPort(8080).withProtocol("HTTP").endListener().endSpec().build()).create();
        kube.resource(new NamespaceBuilder().withNewMetadata().withName("elsewhere").endMetadata().build()).create();
        kube.resource(new ListenerSetBuilder().withNewMetadata().withName("refused").withNamespace("elsewhere").endMetadata()
                .withNewSpec().withNewParentRef().withName("gateway").withNamespace(NS).endParentRef()
                .addNewListener().withName("alt").withPort(9090).withProtocol("HTTP").endListener().endSpec().build()).create();
        provisioner.reconcile(NS, "gateway");
        assertThat(ports(service())).contains("tcp-8080:8080/TCP->8080").noneMatch(p -> p.contains("9090"));
    }

    @Test
    void requestsStaticAddressesOfTheService() {
        create(gateway().editSpec().addNewAddress().withValue("203.0.113.7").endAddress()
                .addNewAddress().withType("Hostname").withValue("gw.example.com").endAddress().endSpec().build());
        provisioner.reconcile(NS, "gateway");
        assertThat(service().getSpec().getLoadBalancerIP()).isEqualTo("203.0.113.7");
        assertThat(service().getSpec().getExternalIPs()).isEmpty();

        final GatewayProvisioner clusterIp = new GatewayProvisioner(kube,
                ProvisionerConfig.defaults(CONTROLLER, "archway:test").withServiceType("ClusterIP"), Duration.ofMinutes(10));
        kube.resources(Gateway.class).inNamespace(NS).withName("gateway").edit(g -> new GatewayBuilder(g).editSpec()
                .addNewAddress().withType("IPAddress").withValue("2001:db8::7").endAddress().endSpec().build());
        clusterIp.reconcile(NS, "gateway");
        assertThat(service().getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service().getSpec().getLoadBalancerIP()).isNull();
        assertThat(service().getSpec().getExternalIPs()).containsExactly("203.0.113.7", "2001:db8::7");
    }

    @Test
    void informersProvisionAndCleanUpAsGatewaysComeAndGo() throws Exception {
        provisioner.start();
        try {
            create(gateway().editSpec().withNewAllowedListeners().withNewNamespaces().withFrom("Same").endNamespaces()
                    .endAllowedListeners().endSpec().build());
            await(() -> service() != null && deployment() != null);
            // a ListenerSet joins: its port reaches the Service (ListenerSet informer, its cache)
            kube.resource(new ListenerSetBuilder().withNewMetadata().withName("extra").withNamespace(NS).endMetadata()
                    .withNewSpec().withNewParentRef().withName("gateway").endParentRef()
                    .addNewListener().withName("alt").withPort(8081).withProtocol("HTTP").endListener().endSpec().build())
                    .create();
            await(() -> ports(service()).contains("tcp-8081:8081/TCP->8081"));
            kube.resources(Gateway.class).inNamespace(NS).withName("gateway").edit(g -> new GatewayBuilder(g).editSpec()
                    .addNewListener().withName("alt").withPort(8080).withProtocol("HTTP").endListener().endSpec().build());
            await(() -> ports(service()).contains("tcp-8080:8080/TCP->8080"));
            // someone deletes the Service: the provisioner puts it back
            kube.services().inNamespace(NS).withName("gateway").delete();
            await(() -> service() != null);
            // the class passes to another controller: the Gateway is no longer ours (GatewayClass informer)
            kube.resources(GatewayClass.class).withName("archway").edit(c -> new GatewayClassBuilder(c).editSpec()
                    .withControllerName("example.com/other").endSpec().build());
            await(() -> service() == null && deployment() == null);
            kube.resources(GatewayClass.class).withName("archway").edit(c -> new GatewayClassBuilder(c).editSpec()
                    .withControllerName(CONTROLLER).endSpec().build());
            await(() -> service() != null);
            kube.resources(Gateway.class).inNamespace(NS).withName("gateway").delete();
            await(() -> service() == null && deployment() == null && binding() == null);
        } finally {
            provisioner.close();
        }
    }

    static final Path EXAMPLES = HelmChartTest.DEPLOY.resolveSibling("examples").resolve("kubernetes");

    static List<HasMetadata> load(String file) throws IOException {
        return HelmChartTest.parse(Files.readString(EXAMPLES.resolve(file)));
    }

    /**
     * The README's cluster walkthrough (examples/kubernetes, the seeds' httpbin Gateway and HPA) on
     * the chart's rendering: the provisioner gives the Gateway the Deployment the seeds' HPA
     * targets, with the pods its PodDisruptionBudget selects and the CPU request a CPU target
     * needs, and a Service exposing the listener port.
     */
    @Test
    void theSeedsHpaAndPdbFitTheProvisionedDataPlane() throws IOException {
        final List<HasMetadata> chart = HelmChartTest.parse(HelmChartTest.render(Map.of()));
        final ProvisionerConfig config = ProvisionerConfig.parse(
                HelmChartTest.one(chart, ConfigMap.class, "archway-provisioner").getData().get("provisioner.yaml"));
        // the chart's GatewayClass is the one setUp made
        assertThat(HelmChartTest.one(chart, GatewayClass.class, "archway").getSpec().getControllerName()).isEqualTo(CONTROLLER);
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

    static void await(BooleanSupplier condition) throws InterruptedException {
        final Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition within 30 s").isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
