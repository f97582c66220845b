package io.archway.client.kubernetes;

import io.archway.client.ArchwayClient;
import io.archway.client.ArchwayClientException;
import io.archway.client.ClientMode;
import io.archway.client.ConcurrentEditException;
import io.archway.client.ResourceExistsException;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.archway.client.WeightAssigner;
import io.archway.client.WeightUpdate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Kubernetes back end: Gateway API resources through fabric8. Updates carry the
 * resourceVersion of the read they are based on; {@link #setWeights} re-reads and retries on
 * 409 Conflict up to {@link #maxAttempts()} times.
 */
public final class KubernetesArchwayClient implements ArchwayClient {

    /** Default number of get-modify-update attempts of {@link #setWeights}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final int maxAttempts;
    private volatile Consumer<RouteRef> beforeUpdate = r -> {};

    public KubernetesArchwayClient(KubernetesClient client) {
        this(client, DEFAULT_MAX_ATTEMPTS);
    }

    public KubernetesArchwayClient(KubernetesClient client, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        this.client = client;
        this.maxAttempts = maxAttempts;
    }

    /** How many times {@link #setWeights} tries before giving up on conflicts. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Test hook: runs between the read and the update of each {@link #setWeights} attempt. */
    void beforeUpdate(Consumer<RouteRef> hook) {
        this.beforeUpdate = hook;
    }

    @Override
    public ClientMode mode() {
        return ClientMode.KUBERNETES;
    }

    @Override
    public List<Gateway> listGateways(String namespace) {
        return list(Gateway.class, namespace);
    }

    @Override
    public List<HTTPRoute> listHttpRoutes(String namespace) {
        return list(HTTPRoute.class, namespace);
    }

    @Override
    public List<GRPCRoute> listGrpcRoutes(String namespace) {
        return list(GRPCRoute.class, namespace);
    }

    @Override
    public Optional<HTTPRoute> getHttpRoute(String namespace, String name) {
        return get(HTTPRoute.class, namespace, name);
    }

    @Override
    public HTTPRoute createHttpRoute(HTTPRoute route) {
        return create(HTTPRoute.class, route);
    }

    @Override
    public HTTPRoute updateHttpRoute(HTTPRoute route) {
        return update(HTTPRoute.class, route);
    }

    @Override
    public boolean deleteHttpRoute(String namespace, String name) {
        return delete(HTTPRoute.class, namespace, name);
    }

    @Override
    public Optional<HasMetadata> getRoute(RouteRef ref) {
        return get(ref.kind().modelClass(), ref.namespace(), ref.name()).map(HasMetadata.class::cast);
    }

    @Override
    public Optional<GRPCRoute> getGrpcRoute(String namespace, String name) {
        return get(GRPCRoute.class, namespace, name);
    }

    @Override
    public GRPCRoute createGrpcRoute(GRPCRoute route) {
        return create(GRPCRoute.class, route);
    }

    @Override
    public GRPCRoute updateGrpcRoute(GRPCRoute route) {
        return update(GRPCRoute.class, route);
    }

    @Override
    public boolean deleteGrpcRoute(String namespace, String name) {
        return delete(GRPCRoute.class, namespace, name);
    }

    @Override
    public WeightUpdate setWeights(RouteRef route, RuleSelector rule, Map<String, Integer> weights, boolean allowAllZero) {
        Class<? extends HasMetadata> type = route.kind().modelClass();
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            HasMetadata current = get(type, route.namespace(), route.name())
                    .orElseThrow(() -> new ResourceNotFoundException(route + " not found"));
            WeightUpdate update = WeightAssigner.apply(route, current, rule, weights, allowAllZero);
            if (!update.anyChange()) {
                return update;
            }
            beforeUpdate.accept(route);
            try {
                // update() sends the resourceVersion we read: the API server refuses with 409 if it moved on.
                resource(type, current).update();
                return update;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw wrap("update " + route, e);
                }
                last = e;
            }
        }
        throw new ConcurrentEditException(route + " kept changing under us: " + maxAttempts
                + " attempts met 409 Conflict", last);
    }

    @Override
    public List<? extends HasMetadata> listRoutes(io.archway.kinds.ResourceKind kind, String namespace) {
        if (!kind.isRoute()) {
            throw new IllegalArgumentException(kind.kind() + " is not a route kind");
        }
        return list(kind.modelClass(), namespace);
    }

    private <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
        try {
            MixedOperation<T, ? extends KubernetesResourceList<T>, Resource<T>> op = client.resources(type);
            KubernetesResourceList<T> list = namespace == null ? op.inAnyNamespace().list() : op.inNamespace(namespace).list();
            return list.getItems();
        } catch (KubernetesClientException e) {
            throw wrap("list " + type.getSimpleName(), e);
        }
    }

    private <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        try {
            return Optional.ofNullable(client.resources(type).inNamespace(ns(namespace)).withName(name).get());
        } catch (KubernetesClientException e) {
            throw wrap("get " + type.getSimpleName() + " " + ns(namespace) + "/" + name, e);
        }
    }

    private <T extends HasMetadata> T create(Class<T> type, T item) {
        try {
            return client.resources(type).inNamespace(ns(item.getMetadata().getNamespace())).resource(item).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                throw new ResourceExistsException(describe(item) + " already exists");
            }
            throw wrap("create " + describe(item), e);
        }
    }

    private <T extends HasMetadata> T update(Class<T> type, T item) {
        String ns = ns(item.getMetadata().getNamespace());
        try {
            if (item.getMetadata().getResourceVersion() == null) {
                // No read to be optimistic about: base the update on the current version.
                T current = client.resources(type).inNamespace(ns).withName(item.getMetadata().getName()).get();
                if (current == null) {
                    throw new ResourceNotFoundException(describe(item) + " not found");
                }
                item.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            }
            return client.resources(type).inNamespace(ns).resource(item).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                throw new ConcurrentEditException(describe(item) + " changed since resourceVersion "
                        + item.getMetadata().getResourceVersion() + " was read", e);
            }
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                throw new ResourceNotFoundException(describe(item) + " not found");
            }
            throw wrap("update " + describe(item), e);
        }
    }

    private <T extends HasMetadata> boolean delete(Class<T> type, String namespace, String name) {
        try {
            return !client.resources(type).inNamespace(ns(namespace)).withName(name).delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw wrap("delete " + type.getSimpleName() + " " + ns(namespace) + "/" + name, e);
        }
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Resource<T> resource(Class<T> type, HasMetadata item) {
        return client.resources(type).inNamespace(ns(item.getMetadata().getNamespace())).resource((T) item);
    }

    private static String ns(String namespace) {
        return namespace == null || namespace.isBlank() ? RouteRef.DEFAULT_NAMESPACE : namespace;
    }

    private static String describe(HasMetadata item) {
        return item.getKind() + " " + ns(item.getMetadata().getNamespace()) + "/" + item.getMetadata().getName();
    }

    private static ArchwayClientException wrap(String what, KubernetesClientException e) {
        return new ArchwayClientException(what + " failed (" + e.getCode() + "): " + e.getMessage(), e);
    }
}
