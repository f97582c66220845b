package io.archway.client;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.List;

/**
 * Where the directory back end gets statuses from (a standalone directory has none of its own).
 * Each method returns resources carrying at least metadata (namespace, name) and status; the
 * client copies the status onto the resources it read from the files.
 */
public interface StatusProvider {

    /** No statuses at all. */
    StatusProvider NONE = new StatusProvider() {
        @Override
        public List<Gateway> gateways(String namespace) {
            return List.of();
        }

        @Override
        public List<HTTPRoute> httpRoutes(String namespace) {
            return List.of();
        }

        @Override
        public List<GRPCRoute> grpcRoutes(String namespace) {
            return List.of();
        }

        @Override
        public List<? extends io.fabric8.kubernetes.api.model.HasMetadata> routes(io.archway.kinds.ResourceKind kind,
                                                                                String namespace) {
            return List.of();
        }
    };

    /** Gateways with status in {@code namespace} (null: all). */
    List<Gateway> gateways(String namespace);

    /** HTTPRoutes with status in {@code namespace} (null: all). */
    List<HTTPRoute> httpRoutes(String namespace);

    /** GRPCRoutes with status in {@code namespace} (null: all). */
    List<GRPCRoute> grpcRoutes(String namespace);

    /** Routes of {@code kind} with status in {@code namespace} (null: all). */
    List<? extends io.fabric8.kubernetes.api.model.HasMetadata> routes(io.archway.kinds.ResourceKind kind,
                                                                        String namespace);
}
