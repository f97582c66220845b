package io.archway.source;

import io.archway.kinds.ResourceKind;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
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
 *
 * <p>The view is incremental per kind: each kind's objects are kept sorted by key, and a new view
 * copies the references of the kinds that changed since the last one and shares the others' lists
 * (a one-route change at 10,000 routes costs one array copy, not a pass over every object).
 */
public final class ResourceStore {
    /** key -> object, sorted by key (the view's order). */
    private final TreeMap<ResourceKey, SourcedObject> objects = new TreeMap<>();
    /** The objects of each registered kind, sorted by key; the kinds changed since the last view. */
    private final Map<ResourceKind, ArrayList<SourcedObject>> byKind = new EnumMap<>(ResourceKind.class);
    /** The same rows' objects, index for index: a view's list reads them without a step through each row. */
    private final Map<ResourceKind, ArrayList<HasMetadata>> objectsByKind = new EnumMap<>(ResourceKind.class);
    private final Map<ResourceKind, List<HasMetadata>> viewedObjects = new EnumMap<>(ResourceKind.class);
    private final Set<ResourceKind> stale = EnumSet.allOf(ResourceKind.class);
    /** What the last view holds of each kind, sorted by key (shared with it: never changed). */
    private final Map<ResourceKind, SourcedObject[]> viewed = new EnumMap<>(ResourceKind.class);
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
        CompactModel.compact(object.object()); // held until replaced: without its empty maps and list slots
        objects.put(object.key(), object);
        if (prev != null) {
            drop(prev);
        }
        kindOf(object.object()).ifPresent(kind -> {
            final ArrayList<SourcedObject> rows = byKind.computeIfAbsent(kind, k -> new ArrayList<>());
            final ArrayList<HasMetadata> same = objectsByKind.computeIfAbsent(kind, k -> new ArrayList<>());
            final int at = find(rows, object.key());
            if (at >= 0) {
                rows.set(at, object);
                same.set(at, object.object());
            } else {
                rows.add(-at - 1, object);
                same.add(-at - 1, object.object());
            }
            stale.add(kind);
        });
        changed();
        return true;
    }

    /** Removes one object. @return true when it was there */
    public synchronized boolean delete(ResourceKey key) {
        final SourcedObject gone = objects.remove(Objects.requireNonNull(key, "key"));
        if (gone == null) {
            return false;
        }
        drop(gone);
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

    /**
     * The same object at the same place: a document read again unchanged is the same instance, at
     * another line when lines above it changed, and its new line must reach diagnostics and explain.
     */
    private static boolean same(SourcedObject a, SourcedObject b) {
        return Objects.equals(a.location(), b.location()) && (a.object() == b.object()
                || KubeJson.mapper().valueToTree(a.object()).equals(KubeJson.mapper().valueToTree(b.object())));
    }

    /** Removes {@code gone} from its kind's objects, when it is filed under one. */
    private void drop(SourcedObject gone) {
        kindOf(gone.object()).ifPresent(kind -> {
            final ArrayList<SourcedObject> rows = byKind.get(kind);
            final int at = rows == null ? -1 : find(rows, gone.key());
            if (at >= 0 && rows.get(at) == gone) {
                rows.remove(at);
                objectsByKind.get(kind).remove(at);
                stale.add(kind);
            }
        });
    }

    /** The kind a view files {@code o} under (by its model class, as {@link ResourceView#of}). */
    private static Optional<ResourceKind> kindOf(HasMetadata o) {
        return ResourceKind.of(o);
    }

    /** Binary search by key: the index, or (-(insertion point) - 1). */
    private static int find(List<SourcedObject> rows, ResourceKey key) {
        int lo = 0;
        int hi = rows.size() - 1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            final int c = rows.get(mid).key().compareTo(key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private ResourceView buildView() {
        final Map<ResourceKind, List<HasMetadata>> lists = new EnumMap<>(ResourceKind.class);
        for (ResourceKind kind : ResourceKind.values()) {
            if (stale.contains(kind)) {
                final ArrayList<SourcedObject> current = byKind.get(kind);
                if (current == null || current.isEmpty()) {
                    viewed.remove(kind);
                    viewedObjects.remove(kind);
                } else {
                    viewed.put(kind, current.toArray(new SourcedObject[0]));
                    viewedObjects.put(kind, java.util.Collections.unmodifiableList(
                            java.util.Arrays.asList(objectsByKind.get(kind).toArray(new HasMetadata[0]))));
                }
            }
            final List<HasMetadata> objects = viewedObjects.get(kind);
            if (objects != null) {
                lists.put(kind, objects);
            }
        }
        stale.clear();
        final Map<ResourceKind, SourcedObject[]> located = new EnumMap<>(viewed);
        return ResourceView.ofKinds(lists, key -> {
            final ResourceKind kind = ResourceKind.byKind(key.kind()).orElse(null);
            final SourcedObject[] rows = kind == null ? null : located.get(kind);
            if (rows == null) {
                return null;
            }
            final int at = find(java.util.Arrays.asList(rows), key);
            return at >= 0 ? rows[at].location() : null;
        });
    }
}
