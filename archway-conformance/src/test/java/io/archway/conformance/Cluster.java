package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a run's objects go and where the status its assertions read comes from: the one seam
 * between the run's mode and the test steps, so each step has one implementation.
 *
 * <ul>
 *   <li>{@link DirectoryCluster} (standalone): a configuration directory the embedded server
 *       reloads synchronously; status from its {@code StatusView}.</li>
 *   <li>{@link MockApiCluster} (Kubernetes mode): fabric8's mock API server, which the embedded
 *       server reads with informers and the leader's status writer writes back to; status from
 *       the objects on that server, as upstream's client reads a cluster.</li>
 * </ul>
 *
 * Objects are applied in named groups (a test's manifest file, its EndpointSlices, the base set):
 * {@link #apply} makes a group's objects exactly the given documents, so a mutation is the
 * group applied again.
 */
interface Cluster extends StatusAssertions.Source, AutoCloseable {

    /** The mode's name in logs and reports: {@code standalone} or {@code kubernetes}. */
    String mode();

    /**
     * Makes each group's objects exactly its documents: creates, updates and deletes the
     * difference, groups in order. Standalone writes every file, then reloads once and returns when
     * the server serves the result; on a cluster the server catches up asynchronously and the
     * assertions' waits cover it.
     */
    void apply(Map<String, List<ObjectNode>> groups) throws IOException;

    /** {@link #apply(Map)} of one group. */
    default void apply(String group, List<ObjectNode> docs) throws IOException {
        apply(Map.of(group, docs));
    }

    /** Deletes the groups' objects and returns once the server no longer serves them. */
    void delete(java.util.Collection<String> groups) throws IOException;

    /** Starts the product against this cluster (once the base groups are applied). */
    GatewayProcess start(Environment.Settings settings, Set<Fault> faults) throws Exception;

    /** The options the server translates with, which {@code archway explain} must use too. */
    TranslatorOptions translatorOptions();

    /** The objects as {@code archway explain} reads them (a directory, or a cluster listed once). */
    ResourceView explainView() throws IOException;

    /**
     * The suite's usable and unusable network addresses for a Gateway's {@code spec.addresses}
     * placeholders (upstream's --usable-address and --unusable-address), or null when this mode
     * cannot honour static addresses.
     */
    NetworkAddresses networkAddresses(StatusAssertions.NN gateway);

    /** A usable and an unusable IPAddress for GatewayStaticAddresses. */
    record NetworkAddresses(String usable, String unusable) {
    }

    @Override
    void close();
}
