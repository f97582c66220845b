package io.archway.source.kube;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream of signals into few runs of one action, as Contour's event handler does: the
 * action runs {@code holdoff} after the last signal, or {@code maxDelay} after the first signal of
 * the batch when signals keep coming, whichever is first. Signals during a run start a new batch.
 * The action runs on this coalescer's own thread, one run at a time.
 */
final class EventCoalescer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventCoalescer.class);

    private final long holdoffNanos;
    private final long maxDelayNanos;
    private final Runnable action;
    private final ScheduledExecutorService timer;
    // Guarded by this.
    private long firstNanos;
    private long lastNanos;
    private boolean pending;

    EventCoalescer(Duration holdoff, Duration maxDelay, Runnable action, String threadName) {
        this.holdoffNanos = holdoff.toNanos();
        this.maxDelayNanos = Math.max(holdoff.toNanos(), maxDelay.toNanos());
        this.action = Objects.requireNonNull(action, "action");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Something changed: run the action soon. Never blocks. */
    synchronized void signal() {
        long now = System.nanoTime();
        lastNanos = now;
        if (!pending) {
            pending = true;
            firstNanos = now;
            schedule(holdoffNanos);
        }
    }

    private void schedule(long delayNanos) {
        if (!timer.isShutdown()) {
            timer.schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        synchronized (this) {
            long now = System.nanoTime();
            long due = Math.min(lastNanos + holdoffNanos, firstNanos + maxDelayNanos);
            if (now < due) {
                schedule(due - now);
                return;
            }
            pending = false;
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("coalesced action failed: {}", e.toString(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
