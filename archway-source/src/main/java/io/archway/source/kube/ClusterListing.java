package io.archway.source.kube;

import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.translate.ResourceView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every resource the translator reads, listed from the API server once (no informers): what
 * {@code archway explain --kubernetes} translates locally. The kinds are the registry's kinds
 * Archway serves, as {@link KubernetesSource} watches them, so a one-off explanation sees what the
 * server sees (GRPCRoutes claiming hostnames, BackendTLSPolicies, layer-4 routes included).
 */
public final class ClusterListing {
    private ClusterListing() {
    }

    /**
     * @param warnings told of each kind that could not be listed (403, or 404 when its CRD is not
     *     installed), which is then left out
     */
    public static ResourceView listOnce(KubernetesClient kube, Consumer<String> warnings) {
        final List<HasMetadata> all = new ArrayList<>();
        for (ResourceKind kind : ResourceKind.all()) {
            if (kind.servedByArchway()) {
                all.addAll(list(kube, kind, warnings));
            }
        }
        return ResourceView.of(all, Map.of());
    }

    private static List<? extends HasMetadata> list(KubernetesClient kube, ResourceKind kind, Consumer<String> warnings) {
        try {
            return kind.clusterScoped() ? kube.resources(kind.modelClass()).list().getItems()
                    : kube.resources(kind.modelClass()).inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            if (kind == ResourceKind.REFERENCE_GRANT && e.getCode() == 404) {
                // Clusters with the v1beta1 CRD only: read as v1 (same schema).
                try {
                    return kube.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class)
                            .inAnyNamespace().list().getItems().stream()
                            .map(g -> KubeJson.mapper().convertValue(g, ReferenceGrant.class)).toList();
                } catch (KubernetesClientException v1beta1) {
                    e = v1beta1;
                }
            }
            if (e.getCode() == 403 || e.getCode() == 404) {
                warnings.accept("cannot list " + kind.kind() + " (" + e.getCode() + "): explaining without them");
                return List.of();
            }
            throw e; // a 5xx must reach the operator as itself
        }
    }
}
