package io.archway.source.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ResourceStore} from the API server with one fabric8 {@code SharedIndexInformer}
 * per kind the translator reads (every kind of the registry Archway serves: the Gateway API kinds,
 * Services, EndpointSlices, Secrets, ConfigMaps, Namespaces) and, for namespaced kinds, per watched
 * namespace (or one for all namespaces).
 *
 * <ul>
 *   <li>No rebuild before every informer has synced (Contour does the same): {@link #start()}
 *       completes then, and the first {@code onChange} follows; a partial view would publish status
 *       that says a route's Gateway or backend does not exist.</li>
 *   <li>Changes after that are coalesced ({@link EventCoalescer}: a hold-off after the last event, at
 *       most a maximum delay after the first) into calls of {@code onChange}.</li>
 *   <li>The store gets the objects without {@code status} (but a Service's: its load balancer
 *       ingress is a provisioned Gateway's address), {@code managedFields} and
 *       {@code resourceVersion}: the translator reads none of them, so our own status writes (which
 *       come back as informer updates) and resyncs cause no rebuild. The informers' caches keep the
 *       full objects ({@link #cached}), which the status writer compares against.</li>
 *   <li>Nothing is validated again: the API server admitted every object (no {@code Admission}).
 *       {@code metadata.generation} is the API server's.</li>
 *   <li>A kind the cluster does not serve (its CRD is not installed: the first list answers 404) is
 *       left out with a warning, so that a cluster with the standard channel only still syncs.</li>
 *   <li>A lost watch (API server restart) is retried by the informer, which relists and catches up.</li>
 * </ul>
 */
public final class KubernetesSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);

    /**
     * @param namespaces the namespaces to watch; empty for all
     * @param holdoff the quiet time after an event before a rebuild
     * @param maxDelay the most an event waits for its rebuild while events keep coming
     * @param gateway the one Gateway read (a provisioned data-plane pod); null for every Gateway
     */
    public record Options(Set<String> namespaces, Duration holdoff, Duration maxDelay, ResourceKey gateway) {
        public Options {
            namespaces = Set.copyOf(namespaces);
            Objects.requireNonNull(holdoff, "holdoff");
            Objects.requireNonNull(maxDelay, "maxDelay");
        }

        /** Every Gateway read. */
        public Options(Set<String> namespaces, Duration holdoff, Duration maxDelay) {
            this(namespaces, holdoff, maxDelay, null);
        }

        /**
         * Whether the store takes {@code obj}: with {@link #gateway()} set (a provisioned
         * data-plane pod, {@code serve --kubernetes --gateway NS/NAME}), that Gateway is the only
         * one read, so the translator serves it alone; everything else is read as usual.
         */
        boolean admits(ResourceKind kind, HasMetadata obj) {
            return gateway == null || kind != ResourceKind.GATEWAY || gateway.equals(key(kind, obj));
        }
    }

    private final KubernetesClient client;
    private final ResourceStore store;
    private final Options options;
    private final EventCoalescer coalescer;
    private final List<Informed> informers = new CopyOnWriteArrayList<>();
    private volatile boolean synced;

    /** One informer and the kind it reads. */
    private record Informed(ResourceKind kind, String namespace, SharedIndexInformer<? extends HasMetadata> informer) {
    }

    /** @param onChange called (on the coalescer's thread) after the store changed, once synced */
    public KubernetesSource(KubernetesClient client, ResourceStore store, Options options, Runnable onChange) {
        this.client = Objects.requireNonNull(client, "client");
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onChange, "onChange");
        this.coalescer = new EventCoalescer(options.holdoff(), options.maxDelay(), onChange, "archway-kube-events");
    }

    /** The kinds read from the cluster: those of the registry Archway serves. */
    public static List<ResourceKind> kinds() {
        return ResourceKind.all().stream().filter(ResourceKind::servedByArchway).toList();
    }

    /**
     * Starts every informer. The future completes once all have synced (a kind the cluster does not
     * serve counts as synced, empty); it never completes exceptionally for an unreachable API server:
     * the informers keep retrying.
     */
    public CompletableFuture<Void> start() {
        List<CompletableFuture<Void>> syncs = new ArrayList<>();
        for (ResourceKind kind : kinds()) {
            if (kind.clusterScoped() || options.namespaces().isEmpty()) {
                syncs.add(inform(kind, null));
            } else {
                for (String ns : options.namespaces()) {
                    syncs.add(inform(kind, ns));
                }
            }
        }
        return CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).thenRun(() -> {
            synced = true;
            LOG.info("informers synced: {} object(s) of {} kind(s){}", store.size(), kinds().size(),
                    options.namespaces().isEmpty() ? " in all namespaces" : " in namespaces " + options.namespaces());
        });
    }

    /** True once every informer has synced. */
    public boolean synced() {
        return synced;
    }

    /**
     * The object as the informer last saw it, with its status and resourceVersion (the store has
     * neither).
     */
    public Optional<HasMetadata> cached(ResourceKind kind, String namespace, String name) {
        for (Informed i : informers) {
            if (i.kind() != kind || i.namespace() != null && !i.namespace().equals(namespace)) {
                continue;
            }
            String key = kind.clusterScoped() || namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
            HasMetadata o = i.informer().getStore().getByKey(key);
            if (o != null) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** True when the cluster serves {@code kind} (its informer is running). */
    public boolean serves(ResourceKind kind) {
        return informers.stream().anyMatch(i -> i.kind() == kind && i.informer().isRunning());
    }

    private <T extends HasMetadata> CompletableFuture<Void> inform(ResourceKind kind, String namespace) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) kind.modelClass();
        SharedIndexInformer<T> informer = namespace == null
                ? (kind.clusterScoped() ? client.resources(type).runnableInformer(0)
                        : client.resources(type).inAnyNamespace().runnableInformer(0))
                : client.resources(type).inNamespace(namespace).runnableInformer(0);
        informer.exceptionHandler((started, t) -> {
            if (!started && notServed(t)) {
                return false; // the CRD is not installed: give up on this kind (start completes exceptionally)
            }
            LOG.warn("{} informer{}: {} (retrying)", kind.kind(), namespace == null ? "" : " in " + namespace,
                    t.getMessage());
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                if (options.admits(kind, obj)) {
                    changed(store.upsert(sourced(kind, obj)));
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (options.admits(kind, newObj)) {
                    changed(store.upsert(sourced(kind, newObj)));
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(store.delete(key(kind, obj)));
            }
        });
        informers.add(new Informed(kind, namespace, informer));
        CompletableFuture<Void> done = new CompletableFuture<>();
        informer.start().whenComplete((v, t) -> {
            if (t != null) {
                LOG.warn("the cluster does not serve {} ({}): Archway reads none", kind.apiVersion() + " "
                        + kind.kind(), t.getMessage());
            }
            done.complete(null);
        });
        return done;
    }

    private static boolean notServed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() == 404) {
                return true;
            }
        }
        return false;
    }

    private void changed(boolean changed) {
        if (changed && synced) {
            coalescer.signal();
        }
    }

    private static ResourceKey key(ResourceKind kind, HasMetadata obj) {
        return new ResourceKey(kind.kind(), kind.clusterScoped() ? "" : obj.getMetadata().getNamespace(),
                obj.getMetadata().getName());
    }

    /**
     * The store's copy: what the translator reads. The informer's object is the informer's (shared
     * with its cache), so the store gets a copy without the fields no translation depends on.
     */
    static SourcedObject sourced(ResourceKind kind, HasMetadata obj) {
        ObjectNode tree = KubeJson.mapper().valueToTree(obj);
        if (kind != ResourceKind.SERVICE) {
            // A Service's status is kept: a provisioned Gateway's addresses are its data-plane
            // Service's load balancer ingress (ServiceAddresses), which changes rarely.
            tree.remove("status");
        }
        if (tree.get("metadata") instanceof ObjectNode meta) {
            meta.remove("managedFields");
            meta.remove("resourceVersion");
        }
        HasMetadata copy = KubeJson.mapper().convertValue(tree, kind.modelClass());
        return new SourcedObject(key(kind, obj), copy, null);
    }

    @Override
    public void close() {
        coalescer.close();
        for (Informed i : informers) {
            i.informer().close();
        }
        informers.clear();
    }
}
