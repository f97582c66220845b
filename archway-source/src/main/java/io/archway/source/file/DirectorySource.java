package io.archway.source.file;

import io.archway.source.LoadedFile;
import io.archway.source.EventCoalescer;
import io.archway.source.ResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ResourceStore} from a directory of manifests, recursively, and (once
 * {@link #start started}) keeps it up to date with a {@link WatchService}.
 *
 * <p>Events are normalised rather than interpreted: editors save through a temporary file and a
 * rename, so for every path an event names we ask "does it exist now?" - if it is a manifest file,
 * reload it, otherwise forget it (and everything under it, if it was a directory).
 *
 * <p>The hold-off is leading-edge ({@link EventCoalescer#leadingEdge}, the debounce the Kubernetes
 * source uses too): an event after a quiet period (no batch processed for {@code holdoff}) is
 * processed at once, with whatever events the same save queued beside it (a write and a rename
 * arrive together), so a lone change is not held back. Events within {@code holdoff} of a processed
 * batch are a burst: they are coalesced and processed after {@code holdoff} without new events, or
 * {@code maxDelay} after the first of them, whichever comes first, so a burst costs two rebuilds,
 * not one per file. A file caught half-written at the leading edge either fails to parse (its last
 * good content is kept) or is corrected by the burst's trailing batch. After a batch that changed
 * anything the listener runs (on the coalescer's thread).
 */
public final class DirectorySource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

    private final Path dir;
    private final ResourceStore store;
    private final ManifestFiles files;
    private final ManifestLoader loader;
    private final Duration holdoff;
    private final Duration maxDelay;
    private final Runnable onChange;
    private final Object lock = new Object();
    private WatchService watcher;
    /** Written by the processing thread (new directories), read by the watcher thread. */
    private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
    private Thread thread;
    private EventCoalescer coalescer;
    /** Paths named by events not processed yet; guarded by itself. */
    private final Set<Path> pending = new LinkedHashSet<>();
    /** Events were lost since the last batch (guarded by {@link #pending}): rescan everything. */
    private boolean overflow;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong filesRead = new java.util.concurrent.atomic.AtomicLong();
    /** When the watcher last took an event ({@link System#nanoTime()}). */
    private volatile long lastEvent;
    private volatile Timing lastTiming;

    /**
     * The last batch that changed the store ({@link System#nanoTime()}): the watcher's last event
     * before it, when the batch started, and when the store had it (the rebuild is requested then).
     */
    public record Timing(long event, long started, long applied) {
    }

    /**
     * @param dir the manifest directory, as the operator named it (used in diagnostics)
     * @param onChange called after a debounced batch of file events was applied to the store
     */
    public DirectorySource(Path dir, ResourceStore store, ManifestLoader loader, Duration holdoff, Duration maxDelay,
                           Runnable onChange) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.store = Objects.requireNonNull(store, "store");
        this.files = new ManifestFiles(store);
        this.loader = Objects.requireNonNull(loader, "loader");
        this.holdoff = Objects.requireNonNull(holdoff, "holdoff");
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    /**
     * Reads a directory once into a new store, for offline use ({@code archway validate},
     * {@code archway explain}): the same loader and store as {@code serve}, no watching.
     */
    public static ManifestFiles loadOnce(Path dir) throws IOException {
        return loadOnce(dir, new ManifestLoader());
    }

    /** {@link #loadOnce(Path)} with {@code loader} (e.g. admitting by the standard channel's CRDs). */
    public static ManifestFiles loadOnce(Path dir, ManifestLoader loader) throws IOException {
        final ManifestFiles files = new ManifestFiles(new ResourceStore());
        for (LoadedFile f : loader.loadDirectory(dir)) {
            files.apply(f);
        }
        return files;
    }

    public Path directory() {
        return dir;
    }

    /** The file layer this source feeds the store through (files, their errors and refusals). */
    public ManifestFiles manifests() {
        return files;
    }

    /**
     * Re-reads the whole directory synchronously: every manifest is loaded, files that disappeared
     * are forgotten.
     *
     * @throws UncheckedIOException when the directory itself cannot be listed
     */
    public void rescan() {
        synchronized (lock) {
            List<Path> found;
            try {
                if (!Files.isDirectory(dir)) {
                    throw new IOException("not a directory: " + dir);
                }
                found = ManifestLoader.listManifests(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Files, and the documents of each, are parsed and admitted independently: on every core
            // (issue 14: start-up), then logged and applied in path order, as one by one.
            List<LoadedFile> read = ParsePool.run(() -> loader.loadFiles(found, dir, file -> filesRead.incrementAndGet()));
            Set<String> seen = new HashSet<>();
            for (LoadedFile loaded : read) {
                logProblems(loaded);
                seen.add(loaded.file());
            }
            List<String> gone = files.files().stream().filter(known -> !seen.contains(known)).toList();
            gone.forEach(loader::forget);
            files.applyAll(read, gone);
        }
    }

    /**
     * Reads the directory and keeps watching it: the watch is registered before the read, so a file
     * saved during the read raises an event (processed once the read is done) and one read is
     * enough (issue 14: a second whole read after ready would compete with traffic).
     *
     * @throws UncheckedIOException when the directory itself cannot be listed
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (thread != null) {
                return;
            }
            watcher = FileSystems.getDefault().newWatchService();
            registerTree(dir);
            rescan();
            coalescer = EventCoalescer.leadingEdge(holdoff, maxDelay, SETTLE, this::processPending, "archway-dir-events");
            thread = new Thread(this::run, "archway-dir-watch");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void registerTree(Path root) throws IOException {
        Path real = Files.isSymbolicLink(root) ? root.toRealPath() : root;
        try (Stream<Path> walk = Files.walk(real)) {
            for (Path found : (Iterable<Path>) walk.filter(p -> Files.isDirectory(p))::iterator) {
                Path d = real == root ? found : root.resolve(real.relativize(found));
                if (!d.equals(dir) && ManifestLoader.hiddenBelow(dir, d)) {
                    continue;
                }
                WatchKey key = d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                keys.put(key, d);
            }
        }
    }

    /** How long a leading-edge batch waits for the rest of one save's events (write, rename). */
    private static final Duration SETTLE = Duration.ofMillis(2);

    /** The watcher thread: collects the events' paths and signals the coalescer. */
    private void run() {
        while (!closed) {
            try {
                WatchKey key = watcher.take();
                lastEvent = System.nanoTime();
                boolean any;
                synchronized (pending) {
                    overflow |= collect(key, pending);
                    any = overflow || !pending.isEmpty();
                }
                // Only an editor's temporary file named: no change, so no signal (no batch, and no
                // hold-off that the save's rename would then wait out).
                if (any) {
                    coalescer.signal();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("directory watcher: {}", e.toString(), e);
            }
        }
    }

    /** The coalescer's thread: processes the paths collected so far as one batch. */
    private void processPending() {
        Set<Path> batch;
        boolean lost;
        synchronized (pending) {
            batch = new LinkedHashSet<>(pending);
            lost = overflow;
            pending.clear();
            overflow = false;
        }
        if (!closed && (lost || !batch.isEmpty())) {
            process(batch, lost);
        }
    }

    /**
     * Adds the paths {@code key}'s events name to {@code pending}, except hidden ones (an editor's
     * temporary file: its events are no change, and counted as one they would open a hold-off that
     * the save's rename then waits out); a mounted ConfigMap's {@code ..data} swap is kept.
     *
     * @return true on overflow (events were lost: rescan everything)
     */
    private boolean collect(WatchKey key, Set<Path> pending) {
        Path base = keys.get(key);
        boolean overflow = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || base == null) {
                overflow = true;
                continue;
            }
            Path child = base.resolve((Path) event.context());
            if (ManifestLoader.hiddenBelow(dir, child) && !child.getFileName().toString().startsWith("..")) {
                continue;
            }
            pending.add(child);
        }
        if (!key.reset()) {
            keys.remove(key);
        }
        return overflow;
    }

    private void process(Set<Path> pending, boolean overflow) {
        final long started = System.nanoTime();
        final long event = lastEvent;
        boolean changed;
        // A mounted ConfigMap or Secret swaps its "..data" symlink atomically: reread everything.
        for (Path p : pending) {
            Path name = p.getFileName();
            if (name != null && name.toString().startsWith("..")) {
                overflow = true;
                break;
            }
        }
        synchronized (lock) {
            long before = store.revision();
            try {
                if (overflow) {
                    rescanWatching();
                } else {
                    for (Path p : pending) {
                        handle(p);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.error("cannot read {}: {}", dir, e.getMessage());
            }
            changed = store.revision() != before;
        }
        if (changed) {
            lastTiming = new Timing(event, started, System.nanoTime());
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.error("rebuild after file change failed: {}", e.toString(), e);
            }
        }
    }

    private void rescanWatching() throws IOException {
        registerTree(dir);
        rescan();
    }

    /** "Exists -> reload it, else remove it", for files and whole directories. */
    private void handle(Path p) throws IOException {
        if (ManifestLoader.hiddenBelow(dir, p)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p)) {
            registerTree(p); // a new (or renamed-in) directory: watch it and read what is already there
            List<LoadedFile> read = new ArrayList<>();
            for (Path f : ManifestLoader.listManifests(p)) {
                read.add(read(f));
            }
            files.applyAll(read, List.of());
            return;
        }
        if (Files.isRegularFile(p)) {
            if (ManifestLoader.isManifest(p)) {
                files.apply(read(p));
            }
            return;
        }
        // Gone: the file itself, or a directory with everything below it.
        for (String known : files.filesAt(ManifestLoader.displayName(p, dir), p.getFileSystem().getSeparator())) {
            loader.forget(known);
            files.remove(known);
            LOG.info("{}: removed", known);
        }
    }

    /** Reads and parses one manifest, logging its problems. */
    private LoadedFile read(Path file) {
        LoadedFile loaded = load(file);
        logProblems(loaded);
        return loaded;
    }

    /** Reads and parses one manifest (thread-safe). */
    private LoadedFile load(Path file) {
        LoadedFile loaded = loader.loadFile(file, dir);
        filesRead.incrementAndGet();
        return loaded;
    }

    /** The last batch that changed the store, or null before the first. */
    public Timing lastTiming() {
        return lastTiming;
    }

    /** How many times a manifest file was read and parsed since construction (start-up logs, tests). */
    public long filesRead() {
        return filesRead.get();
    }

    private static void logProblems(LoadedFile loaded) {
        if (!loaded.ok()) {
            for (var d : loaded.errors()) {
                LOG.warn("{} (keeping the last good content of this file)", d);
            }
        }
        for (var d : loaded.refusals()) {
            LOG.warn("{} (refused as the API server would refuse it; its last good version keeps serving)", d);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            if (watcher != null) {
                try {
                    watcher.close();
                } catch (IOException e) {
                    LOG.debug("closing watcher", e);
                }
            }
            if (thread != null) {
                thread.interrupt();
            }
            if (coalescer != null) {
                coalescer.close();
            }
        }
    }
}
