package io.archway.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ClusterPermissionsTest {
    /** group/resource:verb, one per granted permission. */
    static Set<String> grants(List<PolicyRule> rules) {
        final Set<String> out = new TreeSet<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        out.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theDataPlaneReadsEveryServedKindAndWritesNothing() {
        assertThat(grants(ClusterPermissions.dataPlane()))
                .contains("gateway.networking.k8s.io/httproutes:watch", "/secrets:list", "discovery.k8s.io/endpointslices:get",
                        "gateway.networking.k8s.io/backendtlspolicies:list")
                .allMatch(g -> g.endsWith(":get") || g.endsWith(":list") || g.endsWith(":watch"));
    }

    @Test
    void theControllerHoldsEveryDataPlanePermissionSoItMayBindTheDataPlaneRole() {
        // the API server lets a subject create a binding to a role whose permissions it holds (no bind verb)
        assertThat(grants(ClusterPermissions.controller(true))).containsAll(grants(ClusterPermissions.dataPlane()))
                .contains("apps/deployments:create", "rbac.authorization.k8s.io/clusterrolebindings:delete",
                        "gateway.networking.k8s.io/gateways/status:update", "coordination.k8s.io/leases:create")
                .doesNotContain("apps/deployments:patch", "/secrets:update");
        assertThat(grants(ClusterPermissions.controller(false))).noneMatch(g -> g.startsWith("apps/"));
        assertThat(ClusterPermissions.statusKinds()).contains(ResourceKind.GATEWAY_CLASS, ResourceKind.GATEWAY,
                ResourceKind.HTTP_ROUTE, ResourceKind.LISTENER_SET).doesNotContain(ResourceKind.REFERENCE_GRANT);
    }
}
