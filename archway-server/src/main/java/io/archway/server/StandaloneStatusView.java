package io.archway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.ObjectStatus;
import io.archway.source.StatusSink;
import io.archway.translate.Diagnostic;
import io.archway.translate.IndexedOnRead;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The standalone status writer: keeps copies of the objects of every kind of {@link StatusView#KINDS}
 * with the translator's status set, and stamps each condition's {@code lastTransitionTime} - the
 * translator leaves it null because only the writer knows the previous value. A condition keeps its
 * previous time while its status stays the same ({@link ObjectStatus#stampTransitions}).
 *
 * <p>{@link #publish} is called from the rebuild loop only. Nothing is copied when publishing: the
 * view keeps the store's object, the translator's status and the stamped times, and a reader gets a
 * new copy of the object with that status, as JSON stamped with those times, set (a copy per object
 * held for readers was about a third of the heap per route at 10,000 routes, and the stamped JSON
 * tree a quarter of what was left: docs/PERFORMANCE.md, memory).
 */
final class StandaloneStatusView implements StatusView, StatusSink {
    private static final Comparator<Written> ORDER = Comparator
            .comparing((Written w) -> Objects.toString(w.source().getMetadata().getNamespace(), ""))
            .thenComparing(w -> w.source().getMetadata().getName());

    private final Clock clock;
    private volatile Published published = new Published(Map.of(), List.of(), 0, Map.of());

    private static final String[] NO_TIMES = new String[0];

    /**
     * What one publish wrote for one object: the store's object (never mutated), the translator's
     * status it was stamped from (compared by identity: an unchanged route is the same object with
     * the same status instance from the translator's memo, and then its entry is reused instead of
     * converting 10,000 routes to JSON on every change; null without one), and the
     * {@code lastTransitionTime} of each of that status's conditions in the order of its JSON
     * ({@link #conditions}). The stamped status is that JSON with those times set, built when read:
     * kept as a tree it was five JSON objects, two arrays and fifteen text nodes per route (2.4 KiB
     * of the 8.3 KiB of heap per route at 10,000 routes), where the times are two references to a
     * string shared by every condition stamped in the same publish.
     */
    private record Written(ResourceKey key, HasMetadata source, Object status, String[] times) {
        /** The status as written: the translator's, as JSON, with each condition's time set; null without one. */
        ObjectNode stamped(ResourceKind kind) {
            if (status == null) {
                return null;
            }
            ObjectNode tree = ObjectStatus.json(kind, status);
            List<ObjectNode> conditions = new ArrayList<>(times.length);
            conditions(tree, conditions);
            for (int i = 0; i < conditions.size(); i++) {
                if (times[i] != null) {
                    conditions.get(i).put("lastTransitionTime", times[i]);
                }
            }
            return tree;
        }

        /** A copy of the object with the stamped status in place of its own. */
        HasMetadata copy(ResourceKind kind) {
            ObjectNode tree = KubeJson.mapper().valueToTree(source);
            tree.remove("status");
            ObjectNode stamped = stamped(kind);
            if (stamped != null) {
                tree.set("status", stamped);
            }
            return KubeJson.mapper().convertValue(tree, kind.modelClass());
        }
    }

    /** @param routes the routes' status this was published from (for {@link IndexedOnRead#isEditOf}) */
    private record Published(Map<ResourceKind, List<Written>> byKind, List<Diagnostic> diagnostics, long servedVersion,
                             Map<ResourceKey, ?> routes) {
    }

    StandaloneStatusView(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<HasMetadata> list(String kind, String namespace) {
        ResourceKind k = StatusView.kind(kind).orElseThrow(() -> new IllegalArgumentException("unknown kind " + kind));
        List<HasMetadata> out = new ArrayList<>();
        for (Written w : published.byKind().getOrDefault(k, List.of())) {
            if (namespace == null || k.clusterScoped() || namespace.equals(w.source().getMetadata().getNamespace())) {
                out.add(w.copy(k));
            }
        }
        return out;
    }

    @Override
    public List<Diagnostic> diagnostics() {
        return published.diagnostics();
    }

    @Override
    public long servedVersion() {
        return published.servedVersion();
    }

    /**
     * Publishes a translation that the data plane now serves. Each kind's objects are walked beside
     * what was published for that kind last time (both in key order: the store's views are): an
     * object that is the same instance as the one in the same place, with the same status instance,
     * is its previous entry as is, so a one-route change costs a reference comparison and a status
     * look-up per object (issue 14), not a map of every object rebuilt.
     */
    @Override
    public synchronized void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics,
                                     long servedVersion) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<ResourceKind, List<Written>> byKind = new HashMap<>();
        // A translation edited in place gives an unchanged route its previous status: a route that
        // is the same instance as the one published in its place is that entry, not looked up.
        boolean routesEdited = report.routes() instanceof IndexedOnRead<?, ?> r && r.isEditOf(published.routes());
        for (ResourceKind kind : KINDS) {
            boolean sameStatusIfSame = routesEdited && kind.isRoute();
            List<Written> before = published.byKind().getOrDefault(kind, List.of());
            List<HasMetadata> objects = view.list(kind);
            Written[] written = new Written[objects.size()];
            Map<ResourceKey, Integer> index = null; // where each key was, built on the first object out of place
            int j = 0;
            boolean ordered = true; // a store's view is in key order: then nothing is compared
            for (int i = 0; i < objects.size(); i++) {
                HasMetadata o = objects.get(i);
                Written prev = j < before.size() && before.get(j).source() == o ? before.get(j) : null;
                ResourceKey key = prev != null ? prev.key()
                        : new ResourceKey(kind.kind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                if (prev == null && j < before.size() && before.get(j).key().equals(key)) {
                    prev = before.get(j); // the same object, changed
                }
                if (prev == null) { // added, or the lists are not aligned: look it up
                    if (index == null) {
                        index = new HashMap<>();
                        for (int k = 0; k < before.size(); k++) {
                            index.put(before.get(k).key(), k);
                        }
                    }
                    Integer at = index.get(key);
                    if (at != null) {
                        prev = before.get(at);
                        j = at;
                    }
                }
                if (prev != null) {
                    j++;
                }
                Written w;
                if (sameStatusIfSame && prev != null && prev.source() == o) {
                    w = prev;
                } else {
                    Object status = ObjectStatus.raw(report, kind, key);
                    w = prev != null && prev.source() == o && prev.status() == status ? prev
                            : write(key, o, kind, status, prev == null ? null : prev.stamped(kind), now);
                }
                written[i] = w;
                if (!view.inKeyOrder() && i > 0 && ORDER.compare(written[i - 1], w) > 0) {
                    ordered = false;
                }
            }
            List<Written> list = java.util.Arrays.asList(written);
            if (!ordered) {
                list = new ArrayList<>(list);
                list.sort(ORDER); // the store's views are in this order already
            }
            byKind.put(kind, java.util.Collections.unmodifiableList(list));
        }
        published = new Published(Map.copyOf(byKind), List.copyOf(diagnostics), servedVersion, report.routes());
    }

    /** {@code o} with its status stamped against {@code previous}. */
    private static Written write(ResourceKey key, HasMetadata o, ResourceKind kind, Object status, JsonNode previous,
                                 String now) {
        if (status == null) {
            return new Written(key, o, null, NO_TIMES);
        }
        ObjectNode st = ObjectStatus.json(kind, status);
        ObjectStatus.stampTransitions(st, previous, now);
        List<ObjectNode> conditions = new ArrayList<>();
        conditions(st, conditions);
        String[] times = new String[conditions.size()];
        for (int i = 0; i < times.length; i++) {
            // The text node holds the String it was given: `now`, or the previous entry's (shared) time.
            // A condition stampTransitions left unstamped (a second one of the same type) stays so.
            JsonNode time = conditions.get(i).get("lastTransitionTime");
            times[i] = time == null ? null : time.textValue();
        }
        return new Written(key, o, status, times.length == 0 ? NO_TIMES : times);
    }

    /**
     * Every condition under {@code node}, in document order: the entries of each {@code conditions}
     * array, at any depth of arrays of entries (a route's parents, a Gateway's listeners), the same
     * conditions {@link ObjectStatus#stampTransitions} stamps.
     */
    private static void conditions(JsonNode node, List<ObjectNode> out) {
        if (!node.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (!f.getValue().isArray()) {
                continue;
            }
            for (JsonNode entry : f.getValue()) {
                if (!f.getKey().equals("conditions")) {
                    conditions(entry, out);
                } else if (entry.isObject()) {
                    out.add((ObjectNode) entry);
                }
            }
        }
    }

    /** Replaces the diagnostics only (the served state did not change, e.g. a rejected snapshot). */
    @Override
    public synchronized void publishDiagnostics(List<Diagnostic> diagnostics) {
        Published p = published;
        published = new Published(p.byKind(), List.copyOf(diagnostics), p.servedVersion(), p.routes());
    }
}
