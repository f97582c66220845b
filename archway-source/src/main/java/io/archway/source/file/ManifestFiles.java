package io.archway.source.file;

import io.archway.source.LoadedFile;
import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.source.SpecDigest;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The file layer over a {@link ResourceStore}: the objects of every manifest file, mapped to the
 * store's object-level upserts and deletes. Thread-safe.
 *
 * <ul>
 *   <li>A file that parses replaces that file's objects; a file that does not keeps its last good
 *       objects and its errors are reported until it parses again.</li>
 *   <li>An object that admission refused (as the API server refuses an invalid object) keeps its last
 *       good version from that file, if it had one; the refusal is reported until the object is fixed,
 *       and the file's other objects load as usual.</li>
 *   <li>{@code metadata.generation} is assigned here, since standalone has no API server to own it:
 *       1 on first sight, +1 whenever anything but {@code metadata} and {@code status} changes; a
 *       manifest's own generation is ignored.</li>
 *   <li>{@code metadata.creationTimestamp}, when the manifest has none, is the time the object was
 *       first seen and stays the same across reloads.</li>
 *   <li>An object no file defines any more is deleted and forgotten: defined again later, it is a
 *       new object (generation 1, a new creationTimestamp), as the API server creates a deleted and
 *       re-created object anew. An object moving between files in one batch is not deleted.</li>
 *   <li>When two files define the same object, the file later in path order wins, with a warning.</li>
 * </ul>
 *
 * <p>The load problems (parse errors, refusals, warnings, duplicates) go to the store with
 * {@link ResourceStore#report}, in the same atomic {@link ResourceStore#update} as the objects.
 */
public final class ManifestFiles {
    private final ResourceStore store;
    private final Clock clock;
    /** file -> the file's state, ordered by file name (later wins on duplicates). */
    private final TreeMap<String, FileState> files = new TreeMap<>();
    /**
     * The files whose state has a diagnostic, in file order: a save's diagnostics are gathered from
     * these, not from a walk over every file (10,000 at 10,000 routes, on every change).
     */
    private final TreeSet<String> withDiagnostics = new TreeSet<>();
    /** key -> generation bookkeeping of the objects in the store; dropped with the object. */
    private final Map<ResourceKey, Tracked> tracked = new HashMap<>();
    /**
     * key -> its definitions in file order (then order within the file): the last one wins. Kept up
     * to date file by file, so that a change to one file re-resolves that file's keys only, not the
     * 10,000 objects of every other file (docs/PERFORMANCE.md, change-to-live).
     */
    private final Map<ResourceKey, List<Definition>> definitions = new HashMap<>();
    /** key -> the winning object, as last handed to the store. */
    private final Map<ResourceKey, SourcedObject> effective = new HashMap<>();
    /** The keys defined more than once (each gives a warning per shadowed definition). */
    private final Set<ResourceKey> duplicated = new HashSet<>();
    private List<Diagnostic> duplicateWarnings = List.of();

    /** One object of one file, at its place in that file. */
    private record Definition(String file, int index, SourcedObject object) {
        static final Comparator<Definition> ORDER = Comparator.comparing(Definition::file)
                .thenComparingInt(Definition::index);
    }

    public ManifestFiles(ResourceStore store) {
        this(store, Clock.systemUTC());
    }

    public ManifestFiles(ResourceStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private record FileState(List<SourcedObject> objects, List<Diagnostic> errors, List<Diagnostic> warnings,
                             Map<String, Integer> unserved, List<Diagnostic> refusals) {
    }

    /**
     * @param spec what bumps the generation (the loader's digest of the admitted tree)
     */
    private record Tracked(SpecDigest spec, long generation, String creationTimestamp) {
    }

    /** The store this layer feeds. */
    public ResourceStore store() {
        return store;
    }

    /**
     * Applies one file's load result. When the file parsed, its objects replace the previous ones;
     * when it did not, the previous objects stay and the errors are recorded.
     *
     * @return true when the view changed
     */
    public synchronized boolean apply(LoadedFile loaded) {
        Set<ResourceKey> affected = new HashSet<>();
        put(loaded, affected);
        return recompute(affected);
    }

    /**
     * Applies several files' load results and forgets files that no longer exist, then hands the
     * store one change: a directory of 10,000 files is read in one pass, not 10,000 recomputations
     * of everything read so far.
     *
     * @return true when the view changed
     */
    public synchronized boolean applyAll(List<LoadedFile> loaded, List<String> removed) {
        Set<ResourceKey> affected = new HashSet<>();
        loaded.forEach(f -> put(f, affected));
        removed.forEach(f -> forget(f, affected));
        return recompute(affected);
    }

    /** Records {@code loaded}; adds the keys whose definitions it changed to {@code affected}. */
    private void put(LoadedFile loaded, Set<ResourceKey> affected) {
        Objects.requireNonNull(loaded, "loaded");
        FileState prev = files.get(loaded.file());
        if (prev != null) {
            undefine(loaded.file(), prev.objects(), affected);
        }
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
        final FileState now = files.get(loaded.file());
        if (now.errors().isEmpty() && now.refusals().isEmpty() && now.warnings().isEmpty()) {
            withDiagnostics.remove(loaded.file());
        } else {
            withDiagnostics.add(loaded.file());
        }
        define(loaded.file(), now.objects(), affected);
    }

    private void forget(String file, Set<ResourceKey> affected) {
        FileState prev = files.remove(file);
        withDiagnostics.remove(file);
        if (prev != null) {
            undefine(file, prev.objects(), affected);
        }
    }

    private void define(String file, List<SourcedObject> objects, Set<ResourceKey> affected) {
        for (int i = 0; i < objects.size(); i++) {
            SourcedObject o = objects.get(i);
            List<Definition> defs = definitions.computeIfAbsent(o.key(), k -> new ArrayList<>(1));
            Definition d = new Definition(file, i, o);
            int at = defs.size();
            while (at > 0 && Definition.ORDER.compare(defs.get(at - 1), d) > 0) {
                at--;
            }
            defs.add(at, d);
            affected.add(o.key());
        }
    }

    private void undefine(String file, List<SourcedObject> objects, Set<ResourceKey> affected) {
        for (SourcedObject o : objects) {
            List<Definition> defs = definitions.get(o.key());
            if (defs != null) {
                defs.removeIf(d -> d.file().equals(file));
                if (defs.isEmpty()) {
                    definitions.remove(o.key());
                }
            }
            affected.add(o.key());
        }
    }

    /** Forgets a file that no longer exists. @return true when the view changed */
    public synchronized boolean remove(String file) {
        if (!files.containsKey(file)) {
            return false;
        }
        Set<ResourceKey> affected = new HashSet<>();
        forget(file, affected);
        return recompute(affected);
    }

    /**
     * The known files named {@code name}, or below the directory {@code name} ({@code name} then
     * {@code separator}), in name order: a range of the sorted names, so a file deleted among
     * 10,000 reads its neighbours, not every name (issue 14: a route's file removed).
     */
    public synchronized List<String> filesAt(String name, String separator) {
        final List<String> out = new ArrayList<>(1);
        final String below = name + separator;
        for (String known : files.tailMap(name, true).keySet()) {
            if (known.equals(name) || known.startsWith(below)) {
                out.add(known);
            } else if (!known.startsWith(name)) {
                break; // past every name that starts with it: sorted after the range
            }
        }
        return out;
    }

    /** The files currently known (including ones whose last load failed). */
    public synchronized List<String> files() {
        return List.copyOf(files.keySet());
    }

    /**
     * Load problems: parse errors of files whose last good content is being kept, objects refused
     * by admission, duplicate definitions, Gateway API kinds not served yet. In file order.
     */
    public synchronized List<Diagnostic> diagnostics() {
        List<Diagnostic> out = new ArrayList<>();
        for (String file : withDiagnostics) {
            final FileState s = files.get(file);
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

    /**
     * Hands the store the winners of the {@code affected} keys that changed (and deletes the keys
     * no file defines any more), with the diagnostics. @return true when the view changed
     */
    private boolean recompute(Set<ResourceKey> affected) {
        for (ResourceKey key : affected) {
            List<Definition> defs = definitions.get(key);
            if (defs != null && defs.size() > 1) {
                duplicated.add(key);
            } else {
                duplicated.remove(key);
            }
        }
        duplicateWarnings = duplicateWarnings();
        List<Diagnostic> problems = diagnostics();
        boolean[] changed = {false};
        store.update(() -> {
            for (ResourceKey key : affected) {
                List<Definition> defs = definitions.get(key);
                SourcedObject old = effective.get(key);
                if (defs == null) {
                    if (old != null) {
                        effective.remove(key);
                        tracked.remove(key);
                        changed[0] |= store.delete(key);
                    }
                    continue;
                }
                SourcedObject o = defs.get(defs.size() - 1).object();
                if (old == null || old.object() != o.object() || !Objects.equals(old.location(), o.location())) {
                    if (old == null || old.object() != o.object()) {
                        track(o);
                    }
                    effective.put(key, o);
                    changed[0] |= store.upsert(o);
                }
            }
            store.report(problems);
        });
        return changed[0];
    }

    /** A warning on each definition that shadows an earlier one, in file order. */
    private List<Diagnostic> duplicateWarnings() {
        if (duplicated.isEmpty()) {
            return List.of();
        }
        record Shadowing(Definition definition, SourcedObject earlier) {
        }
        List<Shadowing> shadowing = new ArrayList<>();
        for (ResourceKey key : duplicated) {
            List<Definition> defs = definitions.get(key);
            for (int i = 1; i < defs.size(); i++) {
                shadowing.add(new Shadowing(defs.get(i), defs.get(i - 1).object()));
            }
        }
        shadowing.sort(Comparator.comparing(Shadowing::definition, Definition.ORDER));
        List<Diagnostic> out = new ArrayList<>();
        for (Shadowing s : shadowing) {
            SourcedObject o = s.definition().object();
            out.add(new Diagnostic(Diagnostic.Severity.WARNING, o.key(), "", "also defined at "
                    + s.earlier().location() + "; this definition (later in file order) wins", o.location()));
        }
        return List.copyOf(out);
    }

    /** Assigns generation and creationTimestamp to a newly read object (not yet in the store). */
    private void track(SourcedObject o) {
        HasMetadata obj = o.object();
        SpecDigest spec = Objects.requireNonNull(o.spec(), "a manifest's object carries its spec digest");
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
        // A document read again unchanged is the same instance (ManifestLoader's last read), possibly
        // in the snapshot being served: it is only written when something changes.
        if (!Objects.equals(obj.getMetadata().getGeneration(), next.generation())) {
            obj.getMetadata().setGeneration(next.generation());
        }
        if (!Objects.equals(obj.getMetadata().getCreationTimestamp(), next.creationTimestamp())) {
            obj.getMetadata().setCreationTimestamp(next.creationTimestamp());
        }
    }
}
