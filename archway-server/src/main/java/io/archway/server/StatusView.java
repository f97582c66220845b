package io.archway.server;

import io.archway.kinds.ResourceKind;
import io.archway.translate.Diagnostic;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * The resources as last translated, each a copy carrying the status the translator computed, as
 * {@code kubectl get -o yaml} would show them. Read by the admin endpoint, the CLI and tests.
 */
public interface StatusView {

    /** The kinds the view lists, in this order (GRPCRoutes are not translated yet: there are none). */
    List<ResourceKind> KINDS = List.of(ResourceKind.GATEWAY_CLASS, ResourceKind.GATEWAY, ResourceKind.LISTENER_SET,
            ResourceKind.HTTP_ROUTE,
            ResourceKind.GRPC_ROUTE, ResourceKind.TLS_ROUTE, ResourceKind.TCP_ROUTE, ResourceKind.UDP_ROUTE,
            ResourceKind.BACKEND_TLS_POLICY);

    /** One of {@link #KINDS} by a kubectl-style name: {@code Gateway}, {@code gateways}, {@code gtw}, ... */
    static Optional<ResourceKind> kind(String name) {
        return ResourceKind.parse(name).filter(KINDS::contains);
    }

    /**
     * Copies of the resources of one of {@link #KINDS}, named as {@link #kind(String)} accepts, with
     * status set; {@code namespace} null means all namespaces. Sorted by namespace, then name.
     */
    List<HasMetadata> list(String kind, String namespace);

    /** Problems found in the last load and translation (parse errors included), with file and line. */
    List<Diagnostic> diagnostics();

    /** Version of the snapshot the data plane serves now. */
    long servedVersion();
}
