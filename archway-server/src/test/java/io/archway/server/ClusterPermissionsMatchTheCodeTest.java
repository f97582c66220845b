package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import io.archway.provision.ClusterPermissions;
import io.archway.source.kube.KubernetesSource;
import io.archway.source.kube.KubernetesStatusWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterPermissions} (which the Helm chart's RBAC must equal, HelmChartTest) against what
 * the Kubernetes-mode code does: the informers read exactly the kinds it grants reading, and the
 * status writer writes exactly the status subresources it grants. A kind the code starts reading
 * or writing without the grant (a 403 on a real cluster only) fails here.
 */
class ClusterPermissionsMatchTheCodeTest {
    private static Set<String> resources(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules, String verb) {
        return rules.stream().filter(r -> r.getVerbs().contains(verb))
                .flatMap(r -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream().map(res -> g + "/" + res)))
                .collect(Collectors.toSet());
    }

    private static String resource(ResourceKind kind) {
        return kind.group() + "/" + kind.plural();
    }

    @Test
    void theInformersReadWhatTheDataPlaneRoleGrantsReading() {
        Set<String> read = KubernetesSource.kinds().stream().map(ClusterPermissionsMatchTheCodeTest::resource)
                .collect(Collectors.toSet());
        for (String verb : ClusterPermissions.READ) {
            assertThat(resources(ClusterPermissions.dataPlane(), verb)).as(verb).isEqualTo(read);
        }
    }

    @Test
    void theStatusWriterWritesWhatTheControllerRoleGrantsWriting() {
        // the writer writes the objects of the store's view, which holds the served kinds only
        Set<String> written = new HashSet<>();
        for (ResourceKind kind : KubernetesStatusWriter.KINDS) {
            if (KubernetesSource.kinds().contains(kind)) {
                written.add(resource(kind) + "/status");
            }
        }
        Set<String> granted = resources(ClusterPermissions.controller(true), "update").stream()
                .filter(r -> r.endsWith("/status")).collect(Collectors.toSet());
        assertThat(granted).isEqualTo(written);
        assertThat(resources(ClusterPermissions.controller(true), "get")).as("the fresh read after a 409")
                .containsAll(written);
    }
}
