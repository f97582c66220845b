package io.archway.translate.status;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatusBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A direct policy's {@code status.ancestors} (GEP-2648 PolicyAncestorStatus): one entry per
 * Gateway of ours the policy takes effect through, each naming our controller and carrying the
 * policy's conditions.
 */
public final class PolicyStatusWriter {
    private PolicyStatusWriter() {
    }

    /** @param ancestors the Gateways, in key order */
    public static PolicyStatus write(String controllerName, Collection<ResourceKey> ancestors,
                                     List<ConditionSpec> conditions, Long generation) {
        final List<PolicyAncestorStatus> out = new ArrayList<>();
        for (ResourceKey gateway : ancestors) {
            out.add(new PolicyAncestorStatusBuilder()
                    .withAncestorRef(new ParentReferenceBuilder().withGroup(ResourceKind.GATEWAY_GROUP)
                            .withKind(ResourceKind.GATEWAY.kind()).withNamespace(gateway.namespace())
                            .withName(gateway.name()).build())
                    .withControllerName(controllerName)
                    .withConditions(conditions.stream().map(c -> c.toCondition(generation)).toList())
                    .build());
        }
        return new PolicyStatusBuilder().withAncestors(out).build();
    }
}
