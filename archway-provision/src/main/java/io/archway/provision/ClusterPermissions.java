package io.archway.provision;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The RBAC rules Archway's code needs on a cluster, in one place: the Helm chart's ClusterRoles
 * must grant exactly these (its test renders the chart and compares), so a new kind in the
 * {@link ResourceKind} registry, or a new write, fails that test until the chart follows.
 *
 * <ul>
 *   <li>Reading: get, list and watch every kind Archway serves (the translator's input: Gateway API
 *       kinds, Services, EndpointSlices, Secrets, ConfigMaps, Namespaces). The data plane needs
 *       nothing more: it writes nothing.</li>
 *   <li>The controller also writes the status subresource of each Gateway API kind with a status
 *       (every served one but ReferenceGrant), Leases for leader election, and Events.</li>
 *   <li>Provisioning adds the Deployments, Services, ServiceAccounts and ClusterRoleBindings of
 *       {@link DataPlaneResources}. Binding a Gateway's account to the data-plane ClusterRole needs
 *       no {@code bind} verb: the controller holds every permission that role grants (the API
 *       server's escalation check).</li>
 * </ul>
 */
public final class ClusterPermissions {
    public static final List<String> READ = List.of("get", "list", "watch");
    public static final List<String> STATUS_WRITE = List.of("get", "update", "patch");
    public static final List<String> LEASE = List.of("get", "create", "update");
    public static final List<String> EVENT = List.of("create", "patch");
    public static final List<String> OWN = List.of("get", "list", "watch", "create", "update", "delete");

    private ClusterPermissions() {
    }

    /** What a data-plane pod ({@code serve --kubernetes --gateway NS/NAME}) needs: read only. */
    public static List<PolicyRule> dataPlane() {
        final List<PolicyRule> rules = new ArrayList<>();
        for (ResourceKind kind : ResourceKind.all()) {
            if (kind.servedByArchway()) {
                rules.add(rule(kind.group(), kind.plural(), READ));
            }
        }
        return rules;
    }

    /** What the controller needs: the data plane's reads, status, Leases, Events, and provisioning when on. */
    public static List<PolicyRule> controller(boolean provisioning) {
        final List<PolicyRule> rules = new ArrayList<>(dataPlane());
        for (ResourceKind kind : statusKinds()) {
            rules.add(rule(kind.group(), kind.plural() + "/status", STATUS_WRITE));
        }
        rules.add(rule("coordination.k8s.io", "leases", LEASE));
        rules.add(rule("", "events", EVENT));
        rules.add(rule("events.k8s.io", "events", EVENT));
        if (provisioning) {
            rules.add(rule("apps", "deployments", OWN));
            rules.add(rule("", "services", OWN));
            rules.add(rule("", "serviceaccounts", OWN));
            rules.add(rule("rbac.authorization.k8s.io", "clusterrolebindings", OWN));
        }
        return rules;
    }

    /** The kinds whose status the controller writes: the served Gateway API kinds that have a status. */
    public static List<ResourceKind> statusKinds() {
        return ResourceKind.all().stream()
                .filter(k -> k.servedByArchway() && ResourceKind.GATEWAY_GROUP.equals(k.group())
                        && k != ResourceKind.REFERENCE_GRANT)
                .toList();
    }

    private static PolicyRule rule(String group, String resource, List<String> verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verbs).build();
    }
}
