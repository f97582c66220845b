package io.archway.server;

import io.archway.translate.Diagnostic;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * The resources as last translated, each a copy carrying the status the translator computed, as
 * {@code kubectl get -o yaml} would show them. Read by the admin endpoint, the CLI and tests.
 */
public interface StatusView {

    /**
     * Copies of the resources of one kind ({@code GatewayClass}, {@code Gateway}, {@code HTTPRoute}),
     * with status set; {@code namespace} null means all namespaces. Sorted by namespace, then name.
     */
    List<HasMetadata> list(String kind, String namespace);

    /** Problems found in the last load and translation (parse errors included), with file and line. */
    List<Diagnostic> diagnostics();

    /** Version of the snapshot the data plane serves now. */
    long servedVersion();
}
