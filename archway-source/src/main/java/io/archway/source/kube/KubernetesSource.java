package io.archway.source.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.EventCoalescer;
import io.archway.source.KubeJson;
import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *   <li>Changes after that are coalesced ({@link EventCoalescer#trailing}: a hold-off after the last
 *       event, at most a maximum delay after the first) into calls of {@code onChange}.</li>
 *   <li>An informer that cannot sync (the API server unreachable, RBAC refusing the list) keeps
 *       retrying; {@link #unsynced()} names each such kind with its last error, for the readiness
 *       probe and {@link #awaitSynced}'s periodic error log, so that a pod that never turns ready
 *       says why.</li>
 *   <li>The store gets the objects without {@code status} (but a Service's: its load balancer
 *       ingress is a provisioned Gateway's address), {@code managedFields} and
 *       {@code resourceVersion}: the translator reads none of them, so our own status writes (which
 *       come back as informer updates) and resyncs cause no rebuild. The store's copy is the only
 *       full copy of an object whose status we do not write (Secrets, ConfigMaps, Services,
 *       EndpointSlices, ...): their informers keep only each object's key and resourceVersion
 *       (fabric8's {@link ReducedStateItemStore}). The informers of the kinds the status writer
 *       compares against ({@link KubernetesStatusWriter#KINDS}) keep the full objects
 *       ({@link #cached}).</li>
 *   <li>Nothing is validated again: the API server admitted every object (no {@code Admission}).
 *       {@code metadata.generation} is the API server's.</li>
 *   <li>A kind the cluster does not serve (its CRD is not installed: the first list answers 404) is
 *       left out with a warning, so that a cluster with the standard channel only still syncs, and
 *       tried again every {@link Options#notServedRetry()}: a CRD installed later is read from then
 *       on (logged), without a restart.</li>
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
     * @param notServedRetry how often a kind the cluster does not serve (no CRD) is tried again
     */
    public record Options(Set<String> namespaces, Duration holdoff, Duration maxDelay, ResourceKey gateway,
                          Duration notServedRetry) {
        /** How often a kind whose CRD is missing is tried again, by default. */
        public static final Duration DEFAULT_NOT_SERVED_RETRY = Duration.ofSeconds(30);

        public Options {
            namespaces = Set.copyOf(namespaces);
            Objects.requireNonNull(holdoff, "holdoff");
            Objects.requireNonNull(maxDelay, "maxDelay");
            Objects.requireNonNull(notServedRetry, "notServedRetry");
        }

        /** Trying kinds the cluster does not serve again every {@link #DEFAULT_NOT_SERVED_RETRY}. */
        public Options(Set<String> namespaces, Duration holdoff, Duration maxDelay, ResourceKey gateway) {
            this(namespaces, holdoff, maxDelay, gateway, DEFAULT_NOT_SERVED_RETRY);
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
            return admits(kind, key(kind, obj));
        }

        boolean admits(ResourceKind kind, ResourceKey key) {
            return gateway == null || kind != ResourceKind.GATEWAY || gateway.equals(key);
        }
    }

    private final KubernetesClient client;
    private final ResourceStore store;
    private final Options options;
    private final EventCoalescer coalescer;
    private final List<Informed> informers = new CopyOnWriteArrayList<>();
    /** Tries the kinds the cluster does not serve again. */
    private final ScheduledExecutorService retries;
    private volatile boolean synced;
    private volatile boolean closed;
    /** {@link #start()}'s answer; null before. */
    private volatile CompletableFuture<Void> started;

    /** One informer, the kind it reads, and why it has not synced yet. */
    private static final class Informed {
        final ResourceKind kind;
        final String namespace;
        final SharedIndexInformer<? extends HasMetadata> informer;
        volatile String lastError;

        Informed(ResourceKind kind, String namespace, SharedIndexInformer<? extends HasMetadata> informer) {
            this.kind = kind;
            this.namespace = namespace;
            this.informer = informer;
        }

        String describe() {
            return kind.kind() + (namespace == null ? (kind.clusterScoped() ? "" : " (all namespaces)")
                    : " (namespace " + namespace + ")");
        }
    }

    /** @param onChange called (on the coalescer's thread) after the store changed, once synced */
    public KubernetesSource(KubernetesClient client, ResourceStore store, Options options, Runnable onChange) {
        this.client = Objects.requireNonNull(client, "client");
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onChange, "onChange");
        this.coalescer = EventCoalescer.trailing(options.holdoff(), options.maxDelay(), onChange, "archway-kube-events");
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archway-kube-not-served");
            t.setDaemon(true);
            return t;
        });
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
                syncs.add(inform(kind, null, false));
            } else {
                for (String ns : options.namespaces()) {
                    syncs.add(inform(kind, ns, false));
                }
            }
        }
        return started = CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).thenRun(() -> {
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
     * The informers that have not synced yet, each as its kind, namespace and last error (for
     * instance {@code Secret (all namespaces): Forbidden ...}); empty once synced.
     */
    public List<String> unsynced() {
        if (synced) {
            return List.of();
        }
        List<String> waiting = new ArrayList<>();
        for (Informed i : informers) {
            if (!i.informer.hasSynced()) {
                waiting.add(i.describe() + (i.lastError == null ? ": no answer yet" : ": " + i.lastError));
            }
        }
        return waiting;
    }

    /**
     * Waits until every informer has synced (after {@link #start()}), logging an error that names
     * the informers still waiting and their last errors every {@code reportEvery}: a pod that never
     * turns ready says why (RBAC, an unreachable API server).
     *
     * @throws IllegalStateException when not started, or closed before the informers synced
     */
    public void awaitSynced(Duration reportEvery) throws InterruptedException {
        CompletableFuture<Void> started = this.started;
        if (started == null) {
            throw new IllegalStateException("not started");
        }
        long startNanos = System.nanoTime();
        while (true) {
            if (closed) {
                throw new IllegalStateException("closed before the informers synced");
            }
            try {
                started.get(reportEvery.toNanos(), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                LOG.error("informers not synced after {} s, not ready until they are (check the API server and the"
                                + " service account's RBAC): {}",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), String.join("; ", unsynced()));
            } catch (ExecutionException e) {
                throw new IllegalStateException("informers failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * The object as the informer last saw it, with its status and resourceVersion (the store has
     * neither). Whole for the kinds the status writer compares ({@link #keepsFullObjects}); of any
     * other kind only the name, namespace and resourceVersion.
     */
    public Optional<HasMetadata> cached(ResourceKind kind, String namespace, String name) {
        for (Informed i : informers) {
            if (i.kind != kind || i.namespace != null && !i.namespace.equals(namespace)) {
                continue;
            }
            String key = kind.clusterScoped() || namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
            HasMetadata o = i.informer.getStore().getByKey(key);
            if (o != null) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** True when the cluster serves {@code kind} (its informer runs and has synced). */
    public boolean serves(ResourceKind kind) {
        return informers.stream().anyMatch(i -> i.kind == kind && i.informer.isRunning() && i.informer.hasSynced());
    }

    /**
     * Whether the informer of {@code kind} keeps whole objects: only for the kinds whose live status
     * the status writer compares against. Every other kind's objects are kept once, in the store.
     */
    static boolean keepsFullObjects(ResourceKind kind) {
        return KubernetesStatusWriter.KINDS.contains(kind);
    }

    /**
     * Starts one informer. The future completes once it has synced, or at once when the cluster does
     * not serve the kind (then it is tried again every {@link Options#notServedRetry()};
     * {@code again} marks such a retry).
     */
    private <T extends HasMetadata> CompletableFuture<Void> inform(ResourceKind kind, String namespace, boolean again) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) kind.modelClass();
        SharedIndexInformer<T> informer = namespace == null
                ? (kind.clusterScoped() ? client.resources(type).runnableInformer(0)
                        : client.resources(type).inAnyNamespace().runnableInformer(0))
                : client.resources(type).inNamespace(namespace).runnableInformer(0);
        if (!keepsFullObjects(kind)) {
            // The store holds the one full copy the translator reads; the informer needs only keys
            // and resourceVersions (to relist, and to tell deletions), not a second object graph of
            // every Secret, ConfigMap, Service and EndpointSlice. (The store's copy shares the data's
            // strings with the informer's object, so the saving is the maps, metadata and model
            // objects: about 2 KiB per Secret measured, whatever the size of its data.)
            informer.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, type,
                    client.getKubernetesSerialization()));
        }
        Informed informed = new Informed(kind, namespace, informer);
        informer.exceptionHandler((started, t) -> {
            if (!started && notServed(t)) {
                return false; // the CRD is not installed: stop this informer (start completes exceptionally)
            }
            informed.lastError = problem(t);
            LOG.warn("{} informer: {} (retrying)", informed.describe(), informed.lastError);
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
        informers.add(informed);
        CompletableFuture<Void> done = new CompletableFuture<>();
        informer.start().whenComplete((v, t) -> {
            if (t != null) {
                informers.remove(informed);
                if (!again) {
                    LOG.warn("the cluster does not serve {} (its CRD is not installed? {}): Archway reads none, and"
                            + " checks again every {} s", kind.apiVersion() + " " + kind.kind(), t.getMessage(),
                            options.notServedRetry().toSeconds());
                }
                retryLater(kind, namespace);
                done.complete(null);
            } else {
                if (again) {
                    LOG.info("the cluster serves {} now: reading it{}", kind.apiVersion() + " " + kind.kind(),
                            namespace == null ? "" : " in " + namespace);
                }
                completeWhenHandled(informed, done);
            }
        });
        return done;
    }

    /**
     * Completes {@code done} once our event handler has put every object of the informer's first
     * list into the store. fabric8 calls an informer synced when its own cache holds the list; the
     * handler receives the objects afterwards, on another thread, so without this wait the first
     * rebuild could see a part of them.
     */
    private void completeWhenHandled(Informed informed, CompletableFuture<Void> done) {
        if (closed || handled(informed)) {
            done.complete(null);
            return;
        }
        try {
            retries.schedule(() -> completeWhenHandled(informed, done), 10, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            done.complete(null); // closed meanwhile
        }
    }

    /** Whether every object in the informer's cache (that the store takes) is in the store. */
    private boolean handled(Informed informed) {
        ResourceKind kind = informed.kind;
        for (String cacheKey : informed.informer.getStore().listKeys()) {
            int slash = cacheKey.indexOf('/');
            ResourceKey key = new ResourceKey(kind.kind(), kind.clusterScoped() || slash < 0 ? "" : cacheKey.substring(0,
                    slash), slash < 0 ? cacheKey : cacheKey.substring(slash + 1));
            if (options.admits(kind, key) && store.get(key).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private void retryLater(ResourceKind kind, String namespace) {
        if (closed) {
            return;
        }
        try {
            retries.schedule(() -> {
                if (!closed) {
                    inform(kind, namespace, true);
                }
            }, options.notServedRetry().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** The API server's answer in short ({@code 403 Forbidden: secrets is forbidden: ...}), else the message. */
    private static String problem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getStatus() != null && k.getCode() > 0) {
                return k.getCode() + " " + k.getStatus().getReason() + ": " + k.getStatus().getMessage();
            }
        }
        return String.valueOf(t.getMessage());
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
        closed = true;
        retries.shutdownNow();
        coalescer.close();
        for (Informed i : informers) {
            i.informer.close();
        }
        informers.clear();
    }
}
