package io.archway.source;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The current objects, keyed by {@link ResourceKey}, producing immutable {@link ResourceView}s.
 * Every source feeds it with object-level {@link #upsert upserts} and {@link #delete deletes}: the
 * directory source through its file layer ({@link io.archway.source.file.ManifestFiles}, which keeps
 * last good content, generation and creationTimestamp), the Kubernetes source straight from its
 * informers (the API server owns the metadata there). Thread-safe.
 *
 * <ul>
 *   <li>An upsert of an object equal to the stored one (same JSON, same location) changes nothing:
 *       no new revision, hence no rebuild.</li>
 *   <li>{@link #report} replaces the source's load problems (parse errors, refusals, duplicates),
 *       which the rebuild loop publishes beside the translator's diagnostics.</li>
 *   <li>{@link #update} runs several changes so that readers see all of them or none.</li>
 * </ul>
 *
 * <p>Objects handed to the store become the store's and the translator's: nobody may mutate them
 * afterwards.
 */
public final class ResourceStore {
    /** key -> object, sorted by key (the view's order). */
    private final TreeMap<ResourceKey, SourcedObject> objects = new TreeMap<>();
    private List<Diagnostic> diagnostics = List.of();
    private long revision;
    /** Built on demand: a burst of upserts builds one view. Null when stale. */
    private ResourceView view = ResourceView.empty();

    /**
     * Adds or replaces one object.
     *
     * @return true when the view changed (a new key, or different content or location)
     */
    public synchronized boolean upsert(SourcedObject object) {
        Objects.requireNonNull(object, "object");
        SourcedObject prev = objects.get(object.key());
        if (prev != null && same(prev, object)) {
            return false;
        }
        objects.put(object.key(), object);
        changed();
        return true;
    }

    /** Removes one object. @return true when it was there */
    public synchronized boolean delete(ResourceKey key) {
        if (objects.remove(Objects.requireNonNull(key, "key")) == null) {
            return false;
        }
        changed();
        return true;
    }

    /**
     * Replaces the source's load problems. @return true when they changed (a new revision: the
     * rebuild loop publishes them)
     */
    public synchronized boolean report(List<Diagnostic> problems) {
        List<Diagnostic> next = List.copyOf(problems);
        if (next.equals(diagnostics)) {
            return false;
        }
        diagnostics = next;
        revision++;
        return true;
    }

    /** Runs {@code changes} (calls on this store) so that no reader sees a part of them. */
    public synchronized void update(Runnable changes) {
        changes.run();
    }

    /**
     * Incremented whenever the view or the diagnostics change; an upsert of an equal object does not
     * change it.
     */
    public synchronized long revision() {
        return revision;
    }

    /** The current objects, all at v1, sorted by key. */
    public synchronized ResourceView view() {
        if (view == null) {
            view = buildView();
        }
        return view;
    }

    public synchronized Optional<SourcedObject> get(ResourceKey key) {
        return Optional.ofNullable(objects.get(key));
    }

    /** The keys of the current objects, sorted. */
    public synchronized Set<ResourceKey> keys() {
        return Set.copyOf(objects.keySet());
    }

    /** The number of objects. */
    public synchronized int size() {
        return objects.size();
    }

    /** The source's load problems, as last {@link #report reported}. */
    public synchronized List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    private void changed() {
        revision++;
        view = null;
    }

    private static boolean same(SourcedObject a, SourcedObject b) {
        return a.object() == b.object() || Objects.equals(a.location(), b.location())
                && KubeJson.mapper().valueToTree(a.object()).equals(KubeJson.mapper().valueToTree(b.object()));
    }

    private ResourceView buildView() {
        List<HasMetadata> all = new ArrayList<>(objects.size());
        Map<ResourceKey, SourceLocation> locations = new HashMap<>();
        for (SourcedObject o : objects.values()) {
            all.add(o.object());
            if (o.location() != null) {
                locations.put(o.key(), o.location());
            }
        }
        return ResourceView.of(all, locations);
    }
}
