package io.archway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * How long ago this process started, for the start-up breakdown {@link ArchwayServer} logs; -1
 * where the platform does not say.
 *
 * <p>On Linux it is read from {@code /proc} as the kernel counts it, on the clock since boot: the
 * process's start ({@code /proc/self/stat}, field 22, in clock ticks of {@code USER_HZ}, which is
 * 100 on every architecture the JDK runs on) against the time since boot ({@code /proc/uptime}),
 * both to 10 ms. {@link ProcessHandle.Info#startInstant()} adds that start to the boot time of
 * {@code /proc/stat}, which the kernel gives in whole seconds: its figure was late by up to a second,
 * the same on every start of one boot, and the log then blamed the JVM for 0.7 s it did not take
 * (docs/PERFORMANCE.md, start-up, session 7). Elsewhere (macOS) the JDK's figure serves.
 */
final class ProcessStart {
    private static final long USER_HZ = 100;

    /** {@code System.nanoTime()} when the process started, or {@link Long#MIN_VALUE} if unknown. */
    private static final long STARTED_NANOS = startedNanos();

    private ProcessStart() {
    }

    /** Milliseconds from the process start to now. */
    static long millisSince() {
        return STARTED_NANOS == Long.MIN_VALUE ? -1 : (System.nanoTime() - STARTED_NANOS) / 1_000_000;
    }

    /** Milliseconds from the process start to the {@link System#nanoTime()} instant {@code nanos}. */
    static long millisBefore(long nanos) {
        return STARTED_NANOS == Long.MIN_VALUE ? -1 : (nanos - STARTED_NANOS) / 1_000_000;
    }

    private static long startedNanos() {
        long now = System.nanoTime();
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String uptime = Files.readString(Path.of("/proc/uptime"));
            return now - ageNanos(stat, uptime);
        } catch (IOException | RuntimeException e) {
            Instant started = ProcessHandle.current().info().startInstant().orElse(null);
            return started == null ? Long.MIN_VALUE : now - Duration.between(started, Instant.now()).toNanos();
        }
    }

    /**
     * The process's age from the contents of {@code /proc/self/stat} and {@code /proc/uptime}.
     *
     * @throws RuntimeException when either is not in the kernel's format
     */
    static long ageNanos(String stat, String uptime) {
        // The command name (field 2) is in parentheses and may hold spaces: count from after it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long startTicks = Long.parseLong(fields[22 - 3]);
        double sinceBoot = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
        long age = Math.round(sinceBoot * 1e9) - startTicks * (1_000_000_000L / USER_HZ);
        if (age < 0) {
            throw new IllegalStateException("process started after now: " + stat);
        }
        return age;
    }
}
