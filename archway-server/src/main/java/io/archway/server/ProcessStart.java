package io.archway.server;

import java.time.Duration;
import java.time.Instant;

/**
 * When this process started (the operating system's record, 10 ms resolution on Linux), for the
 * start-up breakdown {@link ArchwayServer} logs; -1 where the platform does not say.
 */
final class ProcessStart {
    private static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(null);

    private ProcessStart() {
    }

    /** Milliseconds from the process start to now. */
    static long millisSince() {
        return STARTED == null ? -1 : Duration.between(STARTED, Instant.now()).toMillis();
    }

    /** Milliseconds from the process start to the {@link System#nanoTime()} instant {@code nanos}. */
    static long millisBefore(long nanos) {
        return STARTED == null ? -1 : millisSince() - (System.nanoTime() - nanos) / 1_000_000;
    }
}
