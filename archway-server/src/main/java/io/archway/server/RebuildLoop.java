package io.archway.server;

import io.archway.snapshot.RoutingSnapshot;
import io.archway.source.ResourceStore;
import io.archway.source.StatusSink;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import io.archway.translate.Translation;
import io.archway.translate.TranslationMemo;
import io.archway.translate.Translator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that turns the store into served state: view -> translate -> apply, then status
 * published through the {@link StatusSink} (the standalone view; on a cluster also the status
 * writer) on a second thread, so that publishing one change's status never delays the next
 * change's swap (issue 14: change-to-live). Requests coalesce (a burst of file events gives one
 * rebuild), and so do publications (the newest wins: a reader sees each served version's status
 * or a newer one's, never an older one after a newer). When the data plane rejects a snapshot the
 * last good one keeps serving, its status stays published, and the rejection is reported as a
 * diagnostic. {@link #rebuildNow} returns once its result's status is published.
 */
public final class RebuildLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RebuildLoop.class);

    /** Where snapshots go; {@code DataPlane::apply} in production. Throws to reject a snapshot. */
    @FunctionalInterface
    public interface SnapshotSink {
        void apply(RoutingSnapshot snapshot);
    }

    /** What one rebuild did. */
    public record Result(long version, boolean served, boolean skipped, List<Diagnostic> diagnostics) {
    }

    /**
     * When the phases of the last served rebuild ended ({@link System#nanoTime()}), for the
     * change-to-live budget (bench {@code ServeProfile}): started, the store's view taken, the
     * translation done, the data plane swapped (new requests see the change from here on), its
     * status published (0 until it is).
     */
    public record Timing(long version, long started, long viewed, long translated, long swapped, long published) {
    }

    /** What the status thread publishes next: the newest served translation, then newer diagnostics. */
    private record Publication(ResourceView view, StatusReport report,
                               List<Diagnostic> diagnostics, long version, Timing timing,
                               List<Diagnostic> laterDiagnostics) {
    }

    private final ResourceStore store;
    private final Translator translator;
    private final SnapshotSink sink;
    private final StatusSink status;
    private final ServerMetrics metrics;
    private final ExecutorService executor;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** The status thread: publications, newest first, never on the rebuild thread. */
    private final ExecutorService statusExecutor;
    private final AtomicReference<Publication> publication = new AtomicReference<>();
    private final AtomicBoolean publishQueued = new AtomicBoolean();
    private volatile Timing lastTiming;

    // Loop-thread state.
    /** What the next translation may reuse of this one: a one-route change costs about one route. */
    private TranslationMemo memo = new TranslationMemo();
    private long nextVersion;
    private long builtRevision = -1;
    private boolean lastServed;
    private long servedVersion;
    private List<Diagnostic> lastDiagnostics = List.of();
    private volatile boolean everServed;
    private Set<String> logged = Set.of();
    private List<String> listening = List.of();
    private final int portOffset;

    RebuildLoop(ResourceStore store, Translator translator, SnapshotSink sink, StatusSink status,
                ServerMetrics metrics) {
        this(store, translator, sink, status, metrics, 0);
    }

    RebuildLoop(ResourceStore store, Translator translator, SnapshotSink sink, StatusSink status,
                ServerMetrics metrics, int portOffset) {
        this.portOffset = portOffset;
        this.store = Objects.requireNonNull(store, "store");
        this.translator = Objects.requireNonNull(translator, "translator");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.status = Objects.requireNonNull(status, "status");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "archway-rebuild");
            t.setDaemon(true);
            return t;
        });
        this.statusExecutor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "archway-status");
            t.setDaemon(true);
            return t;
        });
    }

    /** Asks for a rebuild soon; coalesces with one already queued. Never blocks. */
    public void requestRebuild() {
        if (queued.compareAndSet(false, true)) {
            executor.execute(() -> {
                queued.set(false);
                rebuild(false);
            });
        }
    }

    /** Rebuilds now (even if nothing changed) and returns when the result is served or rejected. */
    public Result rebuildNow() {
        Future<Result> f = executor.submit(() -> rebuild(true));
        try {
            Result result = f.get();
            // Every publication handed over so far is taken by a task queued before this one.
            statusExecutor.submit(() -> { }).get();
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a rebuild", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("rebuild failed", e.getCause());
        }
    }

    /** The phases of the last served rebuild, or null before the first. */
    public Timing lastTiming() {
        return lastTiming;
    }

    /** True once a snapshot has been served. */
    public boolean everServed() {
        return everServed;
    }

    private Result rebuild(boolean force) {
        long revision = store.revision();
        if (!force && revision == builtRevision && lastServed) {
            return new Result(nextVersion, true, true, lastDiagnostics);
        }
        long started = System.nanoTime();
        ResourceView view = store.view();
        List<Diagnostic> diagnostics = new ArrayList<>(store.diagnostics());
        long version = ++nextVersion;
        long viewed = System.nanoTime();
        Translation translation;
        try {
            // The translator reads no clock: the time certificates must be valid at is passed here.
            translation = translator.translate(view, version, java.time.Instant.now(), memo);
        } catch (RuntimeException e) {
            memo = new TranslationMemo(); // start over from a full translation
            LOG.error("translation of snapshot v{} failed (a bug; the previous snapshot keeps serving)", version, e);
            diagnostics.add(internal("translation failed: " + e));
            return finish(version, false, revision, diagnostics, started);
        }
        diagnostics.addAll(translation.diagnostics());
        long translated = System.nanoTime();
        try {
            sink.apply(translation.snapshot());
        } catch (RuntimeException e) {
            Throwable cause = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            String msg = "snapshot v" + version + " rejected by the data plane, still serving v"
                    + servedVersion + ": " + (cause.getMessage() != null ? cause.getMessage() : cause.toString());
            diagnostics.add(internal(msg)); // logged by logNew
            return finish(version, false, revision, diagnostics, started);
        }
        long applied = System.nanoTime(); // new requests see the change from here on
        Timing timing = new Timing(version, started, viewed, translated, applied, 0);
        lastTiming = timing;
        handOver(new Publication(view, translation.status(), List.copyOf(diagnostics), version, timing, null));
        servedVersion = version;
        everServed = true;
        RoutingSnapshot s = translation.snapshot();
        List<String> ports = s.ports().stream().map(p -> p.kind().protocolName() + "://" + (p.address().contains(":") ? "[" + p.address() + "]" : p.address()) + ":"
                + (p.port() + portOffset) + (portOffset != 0 ? " (spec port " + p.port() + ")" : "")).sorted().toList();
        if (!ports.equals(listening)) {
            LOG.info("listening on {}", ports.isEmpty() ? "no ports (no Gateway listener is programmed)"
                    : String.join(", ", ports));
            listening = ports;
        }
        // Each phase's time, for operators and for the change-to-live budget (docs/PERFORMANCE.md):
        // the store's view, the translation, the data plane's compile and swap (the status thread
        // logs its publish at debug).
        LOG.info("serving snapshot v{}: {} gateway(s), {} route(s), {} port(s); {} (view {} ms, translation {} ms,"
                        + " data plane {} ms)", version, view.gateways().size(),
                io.archway.kinds.ResourceKind.routes().stream().mapToInt(k -> view.list(k).size()).sum(), s.ports().size(),
                summary(diagnostics), millis(viewed - started), millis(translated - viewed), millis(applied - translated));
        return finish(version, true, revision, diagnostics, started);
    }

    /**
     * Hands a publication to the status thread: a served translation replaces whatever waits; a
     * rejection's diagnostics are published after the translation waiting, if any.
     */
    private void handOver(Publication next) {
        publication.accumulateAndGet(next, (waiting, added) -> added.report() != null || waiting == null ? added
                : new Publication(waiting.view(), waiting.report(), waiting.diagnostics(), waiting.version(),
                        waiting.timing(), added.laterDiagnostics()));
        if (publishQueued.compareAndSet(false, true)) {
            try {
                statusExecutor.execute(this::publishWaiting);
            } catch (RejectedExecutionException e) {
                publishQueued.set(false); // closed
            }
        }
    }

    /** The status thread: publishes what waits (the newest). */
    private void publishWaiting() {
        publishQueued.set(false);
        Publication p = publication.getAndSet(null);
        if (p == null) {
            return;
        }
        try {
            if (p.report() != null) {
                status.publish(p.view(), p.report(), p.diagnostics(), p.version());
                Timing t = p.timing();
                Timing published = new Timing(t.version(), t.started(), t.viewed(), t.translated(), t.swapped(),
                        System.nanoTime());
                if (lastTiming == t) {
                    lastTiming = published;
                }
                LOG.debug("status of snapshot v{} published {} ms after its swap", p.version(),
                        millis(published.published() - t.swapped()));
            }
            if (p.laterDiagnostics() != null) {
                status.publishDiagnostics(p.laterDiagnostics());
            }
        } catch (RuntimeException e) {
            LOG.error("publishing the status of snapshot v{} failed", p.version(), e);
        }
    }

    private Result finish(long version, boolean served, long revision, List<Diagnostic> diagnostics, long started) {
        if (!served) {
            handOver(new Publication(null, null, null, version, null, List.copyOf(diagnostics)));
        }
        builtRevision = revision;
        lastServed = served;
        lastDiagnostics = List.copyOf(diagnostics);
        logNew(diagnostics);
        int errors = (int) diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        metrics.rebuilt(version, served, Duration.ofNanos(System.nanoTime() - started), errors,
                diagnostics.size() - errors);
        return new Result(version, served, false, List.copyOf(diagnostics));
    }

    /** Logs each diagnostic once, when it first appears. */
    private void logNew(List<Diagnostic> diagnostics) {
        Set<String> now = new HashSet<>();
        for (Diagnostic d : diagnostics) {
            String text = d.toString();
            now.add(text);
            if (!logged.contains(text)) {
                if (d.severity() == Diagnostic.Severity.ERROR) {
                    LOG.warn("{}", text);
                } else {
                    LOG.info("{}", text);
                }
            }
        }
        logged = now;
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static String summary(List<Diagnostic> diagnostics) {
        long errors = diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        long warnings = diagnostics.size() - errors;
        return errors + " error(s), " + warnings + " warning(s)";
    }

    private static Diagnostic internal(String message) {
        return new Diagnostic(Diagnostic.Severity.ERROR, new ResourceKey("DataPlane", "", "archway"), "", message, null);
    }

    @Override
    public void close() {
        for (ExecutorService e : List.of(executor, statusExecutor)) { // the rebuild thread hands over to the status thread
            e.shutdown();
            try {
                if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException x) {
                e.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
