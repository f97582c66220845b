package io.archway.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The current objects of every source file, keyed by {@link ResourceKey}, producing immutable
 * {@link ResourceView}s. Thread-safe.
 *
 * <ul>
 *   <li>A file that parses replaces that file's objects; a file that does not keeps its last good
 *       objects and its errors are reported by {@link #diagnostics()} until it parses again.</li>
 *   <li>An object that admission refused (as the API server refuses an invalid object) keeps its last
 *       good version from that file, if it had one; the refusal is reported until the object is fixed,
 *       and the file's other objects load as usual.</li>
 *   <li>{@code metadata.generation} is assigned here: 1 on first sight, +1 whenever anything but
 *       {@code metadata} and {@code status} changes; a manifest's own generation is ignored.</li>
 *   <li>{@code metadata.creationTimestamp}, when the manifest has none, is the time the object was
 *       first seen and stays the same across reloads (and across a delete and re-create).</li>
 *   <li>When two files define the same object, the file later in path order wins, with a warning.</li>
 * </ul>
 *
 * <p>Objects handed to the store become the store's: it sets generation and creationTimestamp on
 * them before they are published, and nobody may mutate them afterwards.
 */
public final class ResourceStore {
    private final Clock clock;
    /** file -> the file's state, ordered by file name (later wins on duplicates). */
    private final TreeMap<String, FileState> files = new TreeMap<>();
    /** key -> generation bookkeeping; kept after deletion so that a re-created object stays stable. */
    private final Map<ResourceKey, Tracked> tracked = new HashMap<>();
    /** key -> the winning object, rebuilt after every change. */
    private Map<ResourceKey, SourcedObject> effective = new TreeMap<>();
    private List<Diagnostic> duplicateWarnings = List.of();
    private long revision;
    private ResourceView view = ResourceView.empty();

    public ResourceStore() {
        this(Clock.systemUTC());
    }

    public ResourceStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private record FileState(List<SourcedObject> objects, List<Diagnostic> errors, List<Diagnostic> warnings,
                             Map<String, Integer> unserved, List<Diagnostic> refusals) {
    }

    private record Tracked(JsonNode spec, long generation, String creationTimestamp) {
    }

    /**
     * Applies one file's load result. When the file parsed, its objects replace the previous ones;
     * when it did not, the previous objects stay and the errors are recorded.
     *
     * @return true when the view changed
     */
    public synchronized boolean apply(LoadedFile loaded) {
        Objects.requireNonNull(loaded, "loaded");
        List<Diagnostic> before = diagnostics();
        FileState prev = files.get(loaded.file());
        if (loaded.ok()) {
            List<SourcedObject> objects = new ArrayList<>(loaded.objects());
            if (prev != null) {
                Set<ResourceKey> refused = loaded.refused();
                prev.objects().stream().filter(o -> refused.contains(o.key())).forEach(objects::add);
            }
            files.put(loaded.file(), new FileState(objects, List.of(), loaded.warnings(), loaded.unserved(),
                    loaded.refusals()));
        } else {
            List<SourcedObject> keep = prev == null ? List.of() : prev.objects();
            Map<String, Integer> unserved = prev == null ? Map.of() : prev.unserved();
            List<Diagnostic> warnings = prev == null ? List.of() : prev.warnings();
            List<Diagnostic> refusals = prev == null ? List.of() : prev.refusals();
            files.put(loaded.file(), new FileState(keep, loaded.errors(), warnings, unserved, refusals));
        }
        boolean changed = loaded.ok() && recompute();
        if (changed || !before.equals(diagnostics())) {
            revision++;
        }
        return changed;
    }

    /** Forgets a file that no longer exists. @return true when the view changed */
    public synchronized boolean remove(String file) {
        List<Diagnostic> before = diagnostics();
        if (files.remove(file) == null) {
            return false;
        }
        boolean changed = recompute();
        if (changed || !before.equals(diagnostics())) {
            revision++;
        }
        return changed;
    }

    /** The files currently known (including ones whose last load failed). */
    public synchronized List<String> files() {
        return List.copyOf(files.keySet());
    }

    /**
     * Incremented whenever the view or the diagnostics change (a failed load whose errors are new
     * counts); reloading an unchanged file does not change it.
     */
    public synchronized long revision() {
        return revision;
    }

    /** The current objects, all at v1. */
    public synchronized ResourceView view() {
        return view;
    }

    public synchronized Optional<SourcedObject> get(ResourceKey key) {
        return Optional.ofNullable(effective.get(key));
    }

    /**
     * Load problems: parse errors of files whose last good content is being kept, objects refused
     * by admission, duplicate definitions, Gateway API kinds not served yet. In file order.
     */
    public synchronized List<Diagnostic> diagnostics() {
        List<Diagnostic> out = new ArrayList<>();
        for (FileState s : files.values()) {
            out.addAll(s.errors());
            out.addAll(s.refusals());
            out.addAll(s.warnings());
        }
        out.addAll(duplicateWarnings);
        return List.copyOf(out);
    }

    /** True when at least one file's last load failed or refused an object. */
    public synchronized boolean hasErrors() {
        return files.values().stream().anyMatch(s -> !s.errors().isEmpty() || !s.refusals().isEmpty());
    }

    /** Gateway API objects of kinds we do not serve yet, counted per kind. */
    public synchronized Map<String, Integer> unservedKinds() {
        Map<String, Integer> out = new TreeMap<>();
        for (FileState s : files.values()) {
            s.unserved().forEach((k, v) -> out.merge(k, v, Integer::sum));
        }
        return out;
    }

    private boolean recompute() {
        Map<ResourceKey, SourcedObject> next = new TreeMap<>();
        List<Diagnostic> dups = new ArrayList<>();
        for (FileState s : files.values()) {
            for (SourcedObject o : s.objects()) {
                SourcedObject prev = next.put(o.key(), o);
                if (prev != null) {
                    dups.add(new Diagnostic(Diagnostic.Severity.WARNING, o.key(), "", "also defined at "
                            + prev.location() + "; this definition (later in file order) wins", o.location()));
                }
            }
        }
        for (SourcedObject o : next.values()) {
            SourcedObject before = effective.get(o.key());
            if (before == null || before.object() != o.object()) {
                track(o);
            }
        }
        boolean changed = !sameObjects(effective, next);
        effective = next;
        duplicateWarnings = List.copyOf(dups);
        if (changed) {
            view = buildView(next);
        }
        return changed;
    }

    private static boolean sameObjects(Map<ResourceKey, SourcedObject> a, Map<ResourceKey, SourcedObject> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<ResourceKey, SourcedObject> e : a.entrySet()) {
            SourcedObject other = b.get(e.getKey());
            if (other.object() == e.getValue().object()) {
                continue;
            }
            // compared after track() has stamped generation and creationTimestamp
            if (!Objects.equals(other.location(), e.getValue().location())
                    || !KubeJson.mapper().valueToTree(other.object()).equals(
                            KubeJson.mapper().valueToTree(e.getValue().object()))) {
                return false;
            }
        }
        return true;
    }

    /** Assigns generation and creationTimestamp to a newly read object. */
    private void track(SourcedObject o) {
        HasMetadata obj = o.object();
        JsonNode spec = specOf(obj);
        Tracked t = tracked.get(o.key());
        String manifestCreation = obj.getMetadata().getCreationTimestamp();
        Tracked next;
        if (t == null) {
            String created = manifestCreation != null ? manifestCreation
                    : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
            next = new Tracked(spec, 1, created);
        } else if (!t.spec().equals(spec)) {
            next = new Tracked(spec, t.generation() + 1,
                    manifestCreation != null ? manifestCreation : t.creationTimestamp());
        } else {
            next = new Tracked(spec, t.generation(), manifestCreation != null ? manifestCreation : t.creationTimestamp());
        }
        tracked.put(o.key(), next);
        obj.getMetadata().setGeneration(next.generation());
        obj.getMetadata().setCreationTimestamp(next.creationTimestamp());
    }

    /** Everything but metadata and status: what a change of bumps the generation. */
    static JsonNode specOf(HasMetadata obj) {
        ObjectNode tree = KubeJson.mapper().valueToTree(obj);
        tree.remove("metadata");
        tree.remove("status");
        tree.remove("apiVersion");
        return tree;
    }

    private static ResourceView buildView(Map<ResourceKey, SourcedObject> objects) {
        List<HasMetadata> all = new ArrayList<>();
        Map<ResourceKey, SourceLocation> locations = new HashMap<>();
        for (SourcedObject o : objects.values()) { // sorted by key
            all.add(o.object());
            if (o.location() != null) {
                locations.put(o.key(), o.location());
            }
        }
        return ResourceView.of(all, locations);
    }
}
