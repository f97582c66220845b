package io.archway.source;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one debounce of both sources: turns a stream of change signals into few runs of one action,
 * as Contour's event handler does. Within a batch the action runs {@code holdoff} after the last
 * signal, or {@code maxDelay} after the first signal when signals keep coming, whichever is first.
 * Signals during a run start a new batch. The action runs on this coalescer's own thread, one run at
 * a time.
 *
 * <p>With a {@linkplain #leadingEdge leading edge} (the directory source), a signal after a quiet
 * period (no run for {@code holdoff}) starts a batch that runs after {@code settle} only, so a lone
 * change is not held back; {@code settle} lets the signals of the same act (an editor's write and
 * rename) join it. Signals within {@code holdoff} of a run are a burst and wait as above, so a
 * burst costs two runs, not one per signal. Without one (the informers, whose sync is followed by a
 * rebuild anyway) every batch waits.
 */
public final class EventCoalescer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventCoalescer.class);

    private final long holdoffNanos;
    private final long maxDelayNanos;
    /** Negative without a leading edge. */
    private final long settleNanos;
    private final Runnable action;
    private final ScheduledExecutorService timer;
    // Guarded by this.
    private long firstNanos;
    private long lastNanos;
    private boolean pending;
    /** Whether the pending batch started after a quiet period (runs after settle). */
    private boolean leading;
    private boolean running;
    private long lastRunEndNanos;

    private EventCoalescer(Duration holdoff, Duration maxDelay, Duration settle, Runnable action, String threadName) {
        this.holdoffNanos = holdoff.toNanos();
        this.maxDelayNanos = Math.max(holdoff.toNanos(), maxDelay.toNanos());
        this.settleNanos = settle == null ? -1 : settle.toNanos();
        this.action = Objects.requireNonNull(action, "action");
        this.lastRunEndNanos = System.nanoTime() - holdoffNanos;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Every batch waits: {@code holdoff} after its last signal, at most {@code maxDelay} after its first. */
    public static EventCoalescer trailing(Duration holdoff, Duration maxDelay, Runnable action, String threadName) {
        return new EventCoalescer(holdoff, maxDelay, null, action, threadName);
    }

    /**
     * A signal after a quiet period runs {@code settle} later; a burst waits as in
     * {@link #trailing}.
     */
    public static EventCoalescer leadingEdge(Duration holdoff, Duration maxDelay, Duration settle, Runnable action,
                                             String threadName) {
        return new EventCoalescer(holdoff, maxDelay, Objects.requireNonNull(settle, "settle"), action, threadName);
    }

    /** Something changed: run the action soon. Never blocks. */
    public synchronized void signal() {
        long now = System.nanoTime();
        lastNanos = now;
        if (!pending) {
            pending = true;
            firstNanos = now;
            leading = settleNanos >= 0 && !running && now - lastRunEndNanos >= holdoffNanos;
            schedule(leading ? settleNanos : holdoffNanos);
        }
    }

    private void schedule(long delayNanos) {
        if (!timer.isShutdown()) {
            try {
                timer.schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private long dueNanos() {
        return leading ? firstNanos + settleNanos : Math.min(lastNanos + holdoffNanos, firstNanos + maxDelayNanos);
    }

    private void check() {
        synchronized (this) {
            long now = System.nanoTime();
            long due = dueNanos();
            if (now < due) {
                schedule(due - now);
                return;
            }
            pending = false;
            running = true;
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("coalesced action failed: {}", e.toString(), e);
        } finally {
            synchronized (this) {
                running = false;
                lastRunEndNanos = System.nanoTime();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
