package io.archway.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one debounce: leading edge for a lone change, coalesced bursts, a maximum delay. */
class EventCoalescerTest {
    private static final Duration HOLDOFF = Duration.ofMillis(400);
    private static final Duration MAX_DELAY = Duration.ofMillis(1200);
    private static final Duration SETTLE = Duration.ofMillis(2);

    /** When each run started, in nanoseconds. */
    private final List<Long> runs = new CopyOnWriteArrayList<>();
    private EventCoalescer coalescer;

    @AfterEach
    void close() {
        coalescer.close();
    }

    private void recordRun() {
        runs.add(System.nanoTime());
    }

    private static long millisSince(long nanos, long later) {
        return TimeUnit.NANOSECONDS.toMillis(later - nanos);
    }

    private void awaitRuns(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runs.size() < n) {
            assertThat(System.nanoTime()).as("%d run(s) within 10 s, saw %d", n, runs.size()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aLoneSignalRunsAtOnceWithALeadingEdge() throws Exception {
        coalescer = EventCoalescer.leadingEdge(HOLDOFF, MAX_DELAY, SETTLE, this::recordRun, "test");
        long signalled = System.nanoTime();
        coalescer.signal();
        awaitRuns(1);
        assertThat(millisSince(signalled, runs.get(0))).as("not held back by the hold-off")
                .isLessThan(HOLDOFF.toMillis() / 2);
    }

    @Test
    void aLoneSignalWaitsTheHoldoffWithoutALeadingEdge() throws Exception {
        coalescer = EventCoalescer.trailing(HOLDOFF, MAX_DELAY, this::recordRun, "test");
        long signalled = System.nanoTime();
        coalescer.signal();
        awaitRuns(1);
        assertThat(millisSince(signalled, runs.get(0))).isGreaterThanOrEqualTo(HOLDOFF.toMillis());
    }

    @Test
    void aBurstAfterTheLeadingEdgeCoalescesIntoOneMoreRun() throws Exception {
        coalescer = EventCoalescer.leadingEdge(HOLDOFF, MAX_DELAY, SETTLE, this::recordRun, "test");
        coalescer.signal();
        awaitRuns(1);
        for (int i = 0; i < 50; i++) { // a burst within the hold-off of the first run
            coalescer.signal();
            Thread.sleep(2);
        }
        long lastSignal = System.nanoTime();
        awaitRuns(2);
        Thread.sleep(HOLDOFF.toMillis() * 2);
        assertThat(runs).as("the leading run and one for the whole burst").hasSize(2);
        assertThat(millisSince(lastSignal, runs.get(1))).as("the burst waits for quiet")
                .isGreaterThanOrEqualTo(HOLDOFF.toMillis() - 50);
    }

    @Test
    void signalsThatNeverStopRunAtLeastEveryMaximumDelay() throws Exception {
        coalescer = EventCoalescer.trailing(HOLDOFF, MAX_DELAY, this::recordRun, "test");
        long first = System.nanoTime();
        long end = first + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY.toMillis() * 3);
        while (System.nanoTime() < end) { // more often than the hold-off: never quiet
            coalescer.signal();
            Thread.sleep(20);
        }
        assertThat(runs.size()).as("a run per maximum delay, not one per signal nor none").isBetween(2, 4);
        assertThat(millisSince(first, runs.get(0))).as("the first waited at most the maximum delay")
                .isBetween(MAX_DELAY.toMillis() - 50, MAX_DELAY.toMillis() + 400);
    }
}
