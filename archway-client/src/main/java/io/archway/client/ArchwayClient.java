package io.archway.client;

import io.archway.client.directory.DirectoryClient;
import io.archway.client.kubernetes.KubernetesArchwayClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Archway client library: reads Gateways and routes, edits routes and shifts backend weights,
 * against either a Kubernetes API server or a standalone directory of manifests.
 *
 * <p>Namespaces: a null namespace in a list call means every namespace; in a {@link RouteRef} it
 * means {@code default}. Writes are optimistic: a change made by someone else between our read and
 * our write is never overwritten (Kubernetes: retried on 409 for {@link #setWeights}, reported as
 * {@link ConcurrentEditException} for {@code update*} with a stale resourceVersion; directory:
 * reported as {@link ConcurrentEditException}).
 */
public interface ArchwayClient extends AutoCloseable {

    /** A client over a standalone directory of manifests, without status. */
    static ArchwayClient forDirectory(Path dir) {
        return new DirectoryClient(dir, StatusProvider.NONE);
    }

    /** A client over a standalone directory whose statuses come from {@code statusProvider}. */
    static ArchwayClient forDirectory(Path dir, StatusProvider statusProvider) {
        return new DirectoryClient(dir, statusProvider);
    }

    /** A client over a Kubernetes API server; the caller keeps ownership of {@code client}. */
    static ArchwayClient forKubernetes(KubernetesClient client) {
        return new KubernetesArchwayClient(client);
    }

    /** Which back end this client uses. */
    ClientMode mode();

    /** Gateways in {@code namespace} (null: all), with status where the back end has it. */
    List<Gateway> listGateways(String namespace);

    /** HTTPRoutes in {@code namespace} (null: all), with status where the back end has it. */
    List<HTTPRoute> listHttpRoutes(String namespace);

    /** The route {@code ref} names (an HTTPRoute or GRPCRoute, as its kind says), or empty. */
    Optional<HasMetadata> getRoute(RouteRef ref);

    /** GRPCRoutes in {@code namespace} (null: all), with status where the back end has it. */
    List<GRPCRoute> listGrpcRoutes(String namespace);

    /**
     * Routes of any kind in {@code namespace} (null: all), with status where the back end has it
     * (TCPRoute, UDPRoute and TLSRoute have no typed method of their own).
     *
     * @throws IllegalArgumentException when {@code kind} is not a route kind
     */
    List<? extends io.fabric8.kubernetes.api.model.HasMetadata> listRoutes(io.archway.kinds.ResourceKind kind,
                                                                            String namespace);

    /** One HTTPRoute, or empty. */
    Optional<HTTPRoute> getHttpRoute(String namespace, String name);

    /** Creates an HTTPRoute; {@link ResourceExistsException} when one of that name exists. */
    HTTPRoute createHttpRoute(HTTPRoute route);

    /**
     * Replaces an existing HTTPRoute's document. When the route carries the resourceVersion of an
     * earlier read and the stored one moved on, nothing is written and {@link ConcurrentEditException} is thrown.
     */
    HTTPRoute updateHttpRoute(HTTPRoute route);

    /** Deletes an HTTPRoute; false when there was none. */
    boolean deleteHttpRoute(String namespace, String name);

    /** One GRPCRoute, or empty. */
    Optional<GRPCRoute> getGrpcRoute(String namespace, String name);

    /** Creates a GRPCRoute; see {@link #createHttpRoute}. */
    GRPCRoute createGrpcRoute(GRPCRoute route);

    /** Replaces an existing GRPCRoute; see {@link #updateHttpRoute}. */
    GRPCRoute updateGrpcRoute(GRPCRoute route);

    /** Deletes a GRPCRoute; false when there was none. */
    boolean deleteGrpcRoute(String namespace, String name);

    /**
     * Sets the weights of some backendRefs of one rule, by backend name; backends not named keep
     * their weight. Refuses unknown names (listing the known ones), negative weights, and a result
     * where every backendRef has weight 0 unless {@code allowAllZero}.
     */
    WeightUpdate setWeights(RouteRef route, RuleSelector rule, Map<String, Integer> weights, boolean allowAllZero);

    /** {@link #setWeights(RouteRef, RuleSelector, Map, boolean)} refusing an all-zero result. */
    default WeightUpdate setWeights(RouteRef route, RuleSelector rule, Map<String, Integer> weights) {
        return setWeights(route, rule, weights, false);
    }

    @Override
    default void close() {}
}
