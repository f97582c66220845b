package io.archway.source.file;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that read a whole directory: one per core. The common pool has one worker fewer than
 * there are cores because its caller is meant to work beside it; on two cores that left a start-up's
 * read to one worker and a caller that helps only with the tasks it forked itself (issue 14,
 * docs/PERFORMANCE.md "Start-up, session 11"). Here the caller waits and every core parses.
 */
final class ParsePool {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("archway-parse-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }, null, false);

    private ParsePool() {
    }

    /** {@code work}'s result, computed on the pool: its parallel streams run on every core. */
    static <T> T run(Supplier<T> work) {
        return POOL.submit(work::get).join();
    }
}
