package io.archway.translate.bind;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Answers "may an object of this kind in namespace A refer to that object in namespace B?"
 * (ReferenceGrant: the grant lives in the target namespace, {@code from} names the referrer's
 * group, kind and namespace, {@code to} names the target's group, kind and optionally name).
 */
public final class ReferenceGrantIndex {
    /** Grants by the namespace they live in, which is the namespace of the objects they grant access to. */
    private final Map<String, List<ReferenceGrant>> byNamespace = new HashMap<>();

    public ReferenceGrantIndex(List<ReferenceGrant> grants) {
        for (ReferenceGrant grant : grants) {
            byNamespace.computeIfAbsent(grant.getMetadata().getNamespace(), k -> new ArrayList<>()).add(grant);
        }
    }

    /** Same-namespace references are always permitted; cross-namespace ones need a grant. */
    public boolean permits(String fromGroup, String fromKind, String fromNamespace,
                           String toGroup, String toKind, String toNamespace, String toName) {
        if (Objects.equals(fromNamespace, toNamespace)) {
            return true;
        }
        for (ReferenceGrant grant : byNamespace.getOrDefault(toNamespace, List.of())) {
            if (grant.getSpec() == null) {
                continue;
            }
            if (anyFrom(grant.getSpec().getFrom(), fromGroup, fromKind, fromNamespace)
                    && anyTo(grant.getSpec().getTo(), toGroup, toKind, toName)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyFrom(List<ReferenceGrantFrom> froms, String group, String kind, String namespace) {
        if (froms == null) {
            return false;
        }
        for (ReferenceGrantFrom from : froms) {
            if (group.equals(Kinds.coreGroupIfUnset(from.getGroup())) && kind.equals(from.getKind())
                    && namespace.equals(from.getNamespace())) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyTo(List<ReferenceGrantTo> tos, String group, String kind, String name) {
        if (tos == null) {
            return false;
        }
        for (ReferenceGrantTo to : tos) {
            if (group.equals(Kinds.coreGroupIfUnset(to.getGroup())) && kind.equals(to.getKind())
                    && (to.getName() == null || to.getName().isEmpty() || to.getName().equals(name))) {
                return true;
            }
        }
        return false;
    }
}
