package io.archway.provision;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart (deploy/helm/archway), linted and rendered by Helm itself (helm-java), every
 * rendered object parsed with fabric8, and its RBAC compared with what the code needs
 * ({@link ClusterPermissions}): a permission the code gains and the chart lacks, or one the chart
 * grants and the code does not use, fails here. The plain manifests under deploy/manifests must
 * be the chart's rendering ({@code -Darchway.manifests.update=true} rewrites them).
 */
class HelmChartTest {
    static final Path DEPLOY = Path.of(System.getProperty("archway.deploy.dir", "../deploy"));
    static final Path CHART = DEPLOY.resolve("helm/archway");
    static final String NAMESPACE = "archway-system";
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static String render(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName("archway").withNamespace(NAMESPACE)
                .withKubeVersion("1.31.0");
        for (Map.Entry<String, Object> value : values.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        return template.call();
    }

    /** Every rendered document, each parsed into its fabric8 model class. */
    static List<HasMetadata> parse(String rendered) {
        final List<HasMetadata> objects = new ArrayList<>();
        for (String document : rendered.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            final HasMetadata object = SERIALIZATION.unmarshal(document);
            assertThat(object).as("a typed model, not a generic resource: %s", document)
                    .isNotInstanceOf(GenericKubernetesResource.class);
            objects.add(object);
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    /** The grants (group/resource:verb) of every role bound to the ServiceAccount NAMESPACE/NAME. */
    static Set<String> grantsOf(List<HasMetadata> objects, String account) {
        final List<PolicyRule> rules = new ArrayList<>();
        for (ClusterRoleBinding binding : all(objects, ClusterRoleBinding.class)) {
            if (binds(binding.getSubjects(), account)) {
                rules.addAll(rulesOf(objects, binding.getRoleRef()));
            }
        }
        for (RoleBinding binding : all(objects, RoleBinding.class)) {
            if (binds(binding.getSubjects(), account)) {
                rules.addAll(rulesOf(objects, binding.getRoleRef()));
            }
        }
        return ClusterPermissionsTest.grants(rules);
    }

    static boolean binds(List<Subject> subjects, String account) {
        return subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && account.equals(s.getNamespace() + "/" + s.getName()));
    }

    static List<PolicyRule> rulesOf(List<HasMetadata> objects, RoleRef ref) {
        return "ClusterRole".equals(ref.getKind()) ? one(objects, ClusterRole.class, ref.getName()).getRules()
                : one(objects, Role.class, ref.getName()).getRules();
    }

    @Test
    void theChartLintsStrictly() {
        final LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void provisioningModeGrantsExactlyWhatTheControllerAndTheDataPlaneNeed() {
        final List<HasMetadata> objects = parse(render(Map.of()));

        assertThat(grantsOf(objects, NAMESPACE + "/archway"))
                .isEqualTo(ClusterPermissionsTest.grants(ClusterPermissions.controller(true)));
        final ConfigMap provisioner = one(objects, ConfigMap.class, "archway-provisioner");
        final ProvisionerConfig config = ProvisionerConfig.parse(provisioner.getData().get("provisioner.yaml"));
        assertThat(ClusterPermissionsTest.grants(one(objects, ClusterRole.class, config.dataPlaneClusterRole()).getRules()))
                .isEqualTo(ClusterPermissionsTest.grants(ClusterPermissions.dataPlane()));

        final Deployment controller = one(objects, Deployment.class, "archway");
        final Container container = controller.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(config.image()).isEqualTo(container.getImage()).isEqualTo("archway:0.1.0-SNAPSHOT");
        assertThat(config.controllerName()).isEqualTo("archway.io/gateway-controller");
        assertThat(config.serviceType()).isEqualTo("LoadBalancer");
        assertThat(config.resources().getRequests()).containsKey("cpu"); // an HPA on a Gateway's Deployment needs it
        assertThat(container.getArgs()).containsSequence("serve", "--kubernetes")
                .containsSequence("--provisioner-config", "/etc/archway/provisioner.yaml");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
            assertThat(e.getValue()).isEqualTo("-XX:MaxRAMPercentage=75");
        });
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(controller.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(controller.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("archway");
        assertThat(controller.getSpec().getReplicas()).isEqualTo(2);
        final PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, "archway");
        assertThat(controller.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(one(objects, GatewayClass.class, "archway").getSpec().getControllerName())
                .isEqualTo(config.controllerName());
        assertThat(all(objects, Service.class)).isEmpty(); // each Gateway gets its own
    }

    @Test
    void staticModeServesFromTheChartsDeploymentWithoutProvisioningRights() {
        final List<HasMetadata> objects = parse(render(Map.of("provisioning.enabled", "false",
                "autoscaling.enabled", "true", "watchNamespaces[0]", "shop", "watchNamespaces[1]", "edge")));

        assertThat(grantsOf(objects, NAMESPACE + "/archway"))
                .isEqualTo(ClusterPermissionsTest.grants(ClusterPermissions.controller(false)));
        assertThat(all(objects, ClusterRole.class)).hasSize(1);
        assertThat(all(objects, ConfigMap.class)).isEmpty();

        final Deployment deployment = one(objects, Deployment.class, "archway");
        final Service service = one(objects, Service.class, "archway");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("http:80", "https:443");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        final Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsSequence("--namespaces", "shop,edge").doesNotContain("--provisioner-config");
        assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).contains(80, 443);
        assertThat(deployment.getSpec().getReplicas()).as("the HPA owns replicas").isNull();
        final HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class, "archway");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("archway");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
    }

    @Test
    void thePlainManifestsAreTheChartsRendering() throws IOException {
        final Map<String, Map<String, Object>> renderings = Map.of(
                "archway.yaml", Map.of(),
                "archway-static.yaml", Map.of("provisioning.enabled", "false"));
        for (Map.Entry<String, Map<String, Object>> rendering : renderings.entrySet()) {
            final Path file = DEPLOY.resolve("manifests").resolve(rendering.getKey());
            final String expected = "# Rendered from deploy/helm/archway (release archway, namespace " + NAMESPACE
                    + ") by HelmChartTest;\n# regenerate: mvn -o -pl archway-provision -am test -Dtest=HelmChartTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -Darchway.manifests.update=true\n"
                    + "# Install the Gateway API CRDs (v1.6.1) first, and create the namespace " + NAMESPACE + ".\n"
                    + render(rendering.getValue());
            parse(expected);
            if (Boolean.getBoolean("archway.manifests.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, expected);
            }
            assertThat(file).as("stale: regenerate with -Darchway.manifests.update=true").content().isEqualTo(expected);
        }
    }
}
