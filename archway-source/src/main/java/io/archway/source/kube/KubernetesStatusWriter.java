package io.archway.source.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.ObjectStatus;
import io.archway.source.StatusSink;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the translator's status back through the status subresource, as Contour's
 * {@code StatusUpdateHandler} does: only while this replica leads ({@link #startLeading}), from
 * the latest publication only (a burst of rebuilds gives one pass over the newest status), and
 * only for objects whose status differs from the live one.
 *
 * <ul>
 *   <li>The live status is the informer's ({@link KubernetesSource#cached}), or the one we just wrote
 *       while the informer has not shown it yet; an equal status is not written (a new leader finds
 *       the old leader's writes and writes nothing again).</li>
 *   <li>{@code lastTransitionTime} is kept while a condition's status is unchanged
 *       ({@link ObjectStatus#stampTransitions} against the live status).</li>
 *   <li>Routes and BackendTLSPolicies: only the {@code status.parents} (a policy's
 *       {@code status.ancestors}) entries whose {@code controllerName} is ours are replaced or
 *       removed; another controller's entries stay as they are, in their order (GEP-713: a policy's
 *       ancestors are shared by every implementation whose Gateways it reaches).</li>
 *   <li>A 409 Conflict (someone wrote in between) is retried with a fresh read, up to
 *       {@value #ATTEMPTS} times; a 404 (deleted meanwhile) is dropped.</li>
 *   <li>GatewayClasses, Gateways and ListenerSets without status of ours (another controller's) are
 *       never written.</li>
 * </ul>
 *
 * <p>Writing happens on the writer's own thread: the rebuild loop never waits for the API server,
 * and losing the lease ({@link #stopLeading}) only stops writes, never traffic.
 */
public final class KubernetesStatusWriter implements StatusSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusWriter.class);
    static final int ATTEMPTS = 5;

    /** The kinds whose status the translator computes. */
    public static final List<ResourceKind> KINDS = ResourceKind.all().stream()
            .filter(k -> k == ResourceKind.GATEWAY_CLASS || k == ResourceKind.GATEWAY || k == ResourceKind.LISTENER_SET
                    || k.isRoute() || k == ResourceKind.BACKEND_TLS_POLICY)
            .toList();

    /**
     * The list of per-controller entries in {@code kind}'s status ({@code parents} of a route,
     * {@code ancestors} of a policy), or null for a kind whose whole status is ours.
     */
    static String sharedEntries(ResourceKind kind) {
        return kind.isRoute() ? "parents" : kind == ResourceKind.BACKEND_TLS_POLICY ? "ancestors" : null;
    }

    private final KubernetesClient client;
    private final KubernetesSource source;
    private final String controllerName;
    private final Clock clock;
    private final ExecutorService worker;
    private final AtomicReference<Publication> latest = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean leading;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();

    private record Publication(ResourceView view, StatusReport report, long version) {
    }

    /** A status this writer wrote, to which object (uid), and the resourceVersion the write gave it. */
    private record Written(JsonNode status, String uid, String resourceVersion) {
    }

    /**
     * Our writes the informer has not shown yet (worker thread only): until it does, the status we
     * wrote, not the informer's older copy, is the live one, so that the next pass does not write it
     * again. An entry goes once the informer shows that resourceVersion, or its object is gone.
     */
    private final Map<ResourceKey, Written> written = new HashMap<>();

    public KubernetesStatusWriter(KubernetesClient client, KubernetesSource source, String controllerName, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.source = Objects.requireNonNull(source, "source");
        this.controllerName = Objects.requireNonNull(controllerName, "controllerName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "archway-status-writer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics, long servedVersion) {
        latest.set(new Publication(view, report, servedVersion));
        schedule();
    }

    @Override
    public void publishDiagnostics(List<Diagnostic> diagnostics) {
        // Diagnostics are not status: they are logged and served by the admin endpoint.
    }

    /** This replica leads: write the latest status (whatever differs from the live one). */
    public void startLeading() {
        leading = true;
        LOG.info("leading: writing status");
        schedule();
    }

    /** Another replica leads: stop writing. Serving goes on. */
    public void stopLeading() {
        leading = false;
        LOG.info("not leading: status is written by another replica");
    }

    public boolean leading() {
        return leading;
    }

    /** Status subresource writes that succeeded. */
    public long writes() {
        return writes.get();
    }

    /** Objects whose status was already as computed (no write). */
    public long skipped() {
        return skipped.get();
    }

    /** 409 Conflicts retried. */
    public long conflicts() {
        return conflicts.get();
    }

    /** Passes over a publication (at most one per rebuild, fewer under a burst). */
    public long passes() {
        return passes.get();
    }

    /** Returns once the passes scheduled so far are done (tests). */
    void awaitIdle() throws Exception {
        worker.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }

    private void schedule() {
        if (leading && scheduled.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false); // closed
            }
        }
    }

    /** Writes the newest publication; a publication that arrives meanwhile gets one more pass. */
    private void drain() {
        scheduled.set(false);
        Publication p = latest.get();
        if (!leading || p == null) {
            return;
        }
        passes.incrementAndGet();
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Set<ResourceKey> seen = new HashSet<>();
        for (ResourceKind kind : KINDS) {
            for (HasMetadata o : p.view().<HasMetadata>list(kind)) {
                if (!leading) {
                    return;
                }
                ResourceKey key = new ResourceKey(kind.kind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                seen.add(key);
                try {
                    write(kind, key, ObjectStatus.of(p.report(), kind, key), now);
                } catch (RuntimeException e) {
                    LOG.warn("status of {} not written: {}", key, e.getMessage());
                }
            }
        }
        written.keySet().retainAll(seen);
    }

    private void write(ResourceKind kind, ResourceKey key, Optional<ObjectNode> ours, String now) {
        if (ours.isEmpty() && sharedEntries(kind) == null) {
            return; // another controller's object
        }
        HasMetadata live = source.cached(kind, key.namespace(), key.name()).orElse(null);
        Written mine = written.get(key);
        if (mine != null && live != null && (mine.resourceVersion().equals(live.getMetadata().getResourceVersion())
                || !mine.uid().equals(live.getMetadata().getUid()))) {
            written.remove(key); // the informer shows our write, or the object was deleted and created again
            mine = null;
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (live == null) {
                live = fetch(kind, key);
                if (live == null) {
                    written.remove(key);
                    return; // deleted meanwhile
                }
            }
            ObjectNode tree = KubeJson.mapper().valueToTree(live);
            JsonNode liveStatus = mine != null ? mine.status() : tree.get("status");
            ObjectNode next = desired(kind, ours, liveStatus);
            if (next == null) {
                skipped.incrementAndGet();
                return; // a route (policy) with no parent (ancestor) of ours, now or before
            }
            ObjectStatus.stampTransitions(next, liveStatus, now);
            if (next.equals(liveStatus)) {
                skipped.incrementAndGet();
                return;
            }
            tree.set("status", next);
            HasMetadata update = KubeJson.mapper().convertValue(tree, kind.modelClass());
            try {
                HasMetadata result = client.resource(update).updateStatus();
                writes.incrementAndGet();
                written.put(key, new Written(next, String.valueOf(result.getMetadata().getUid()),
                        result.getMetadata().getResourceVersion()));
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    written.remove(key);
                    return;
                }
                if (e.getCode() != 409) {
                    throw e;
                }
                conflicts.incrementAndGet();
                live = fetch(kind, key); // a fresh read, then merge again
                mine = null;
            }
        }
        LOG.warn("status of {} not written: still conflicting after {} attempts", key, ATTEMPTS);
    }

    /**
     * The status to write: ours for a GatewayClass, Gateway or ListenerSet; for a route (policy), the
     * live {@code parents} ({@code ancestors}) of other controllers, in place, followed by ours. Null
     * when a route (policy) has no entry of ours now and had none before (nothing of ours to write or
     * remove).
     */
    private ObjectNode desired(ResourceKind kind, Optional<ObjectNode> ours, JsonNode liveStatus) {
        final String field = sharedEntries(kind);
        if (field == null) {
            return ours.orElseThrow().deepCopy();
        }
        ArrayNode entries = KubeJson.mapper().createArrayNode();
        boolean hadOurs = false;
        if (liveStatus != null && liveStatus.get(field) instanceof ArrayNode liveEntries) {
            for (JsonNode entry : liveEntries) {
                if (controllerName.equals(entry.path("controllerName").asText())) {
                    hadOurs = true;
                } else {
                    entries.add(entry.deepCopy());
                }
            }
        }
        if (ours.isPresent() && ours.get().get(field) instanceof ArrayNode mine) {
            mine.forEach(e -> entries.add(e.deepCopy()));
        } else if (!hadOurs) {
            return null;
        }
        ObjectNode next = liveStatus instanceof ObjectNode o ? o.deepCopy() : KubeJson.mapper().createObjectNode();
        next.set(field, entries);
        return next;
    }

    private HasMetadata fetch(ResourceKind kind, ResourceKey key) {
        var resources = client.resources(kind.modelClass());
        return kind.clusterScoped() ? resources.withName(key.name()).get()
                : resources.inNamespace(key.namespace()).withName(key.name()).get();
    }

    @Override
    public void close() {
        leading = false;
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
