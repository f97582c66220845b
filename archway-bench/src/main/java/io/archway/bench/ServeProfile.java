package io.archway.bench;

import io.archway.server.ArchwayServer;
import io.archway.server.RebuildLoop;
import io.archway.server.ServerConfig;
import io.archway.source.file.DirectorySource;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The change path of {@code serve} in one process, split by thread: a whole {@link ArchwayServer}
 * watches the {@link ScaleConfig} directory, one route file is saved as an editor saves it (a hidden
 * temporary file renamed over it) per round, and each round prints the wall time from the rename to
 * the data plane's swap of the new snapshot (new requests see the change from then on), when each
 * step before it ended (the watcher's event, the batch applied to the store, the rebuild's view,
 * translation and swap, the status published after it), and the thread CPU each of the server's
 * threads spent (the watcher: read, parse, admission, store; the rebuild loop: view, translation,
 * data plane; the status thread: the status view), and the collections during the round (their
 * pauses stop every thread). Thread CPU survives a loaded machine:
 * <pre>
 *   java -cp ... io.archway.bench.ServeProfile ROUTES [ROUNDS [CHANGE [PORT]]]   (ROUNDS 0: start-up only)
 * </pre>
 * CHANGE is what a round saves: {@code edit} (default: a route's weights and generation),
 * {@code addremove} (a route's file deleted in one round, written back in the next), or
 * {@code listener} (the Gateway's second listener added in one round, removed in the next).
 * PORT is the Gateway's listener port (default 18490; {@code listener} binds the next one too).
 */
public final class ServeProfile {
    private ServeProfile() {
    }

    public static void main(String[] args) throws Exception {
        final int routes = Integer.parseInt(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        final String change = args.length > 2 ? args[2] : "edit";
        final int port = args.length > 3 ? Integer.parseInt(args[3]) : 18490;
        if (!List.of("edit", "addremove", "listener").contains(change)) {
            throw new IllegalArgumentException("CHANGE is edit, addremove or listener, not " + change);
        }
        final int hostnames = Math.max(1, Math.min(ScaleState.HOSTNAMES, routes));
        final Path dir = Files.createTempDirectory("archway-serve-profile");
        ScaleConfig.writeDirectory(dir, routes, hostnames, port, ScaleState.BACKEND_PORT);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        final ServerConfig config = new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(100), true);
        final List<Long> live = new ArrayList<>();
        final long mainCpu0 = threads.getCurrentThreadCpuTime();
        try (ArchwayServer server = ArchwayServer.start(config)) {
            // Thread CPU, not wall time, is the start-up figure on a loaded box: the main thread's
            // until start returned, and the rebuild loop's (snapshots built) by then.
            System.out.printf("started with %d routes: %d ms; main thread cpu %.0f ms, snapshot v%d, thread cpu %s;"
                            + " JVM up %d ms, gc so far %d, %d ms%n",
                    routes, (System.nanoTime() - t0) / 1_000_000, (threads.getCurrentThreadCpuTime() - mainCpu0) / 1e6,
                    server.status().servedVersion(), archwayThreads(cpuByThread(threads)),
                    ManagementFactory.getRuntimeMXBean().getUptime(), collections()[0], collections()[1]);
            Thread.sleep(500);
            for (int r = 0; r < rounds; r++) {
                final int route = ((change.equals("edit") ? r : r / 2) * 7919) % routes;
                final Path file = dir.resolve(change.equals("listener") ? "base.yaml" : ScaleConfig.routeFile(route));
                final Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
                final boolean delete = change.equals("addremove") && r % 2 == 0;
                if (change.equals("listener")) {
                    Files.writeString(tmp, ScaleConfig.base(port, ScaleState.BACKEND_PORT).replace(
                            ScaleConfig.gateway(port, false), ScaleConfig.gateway(port, r % 2 == 0)));
                } else if (!delete) {
                    Files.writeString(tmp, ScaleConfig.route(route, hostnames, 1, r + 1));
                }
                final long before = server.servingVersion();
                final long[] gc0 = collections();
                final Map<String, Long> cpu0 = cpuByThread(threads);
                final long allocated0 = allocatedBy(threads, "archway-rebuild");
                final long saved = System.nanoTime();
                if (delete) {
                    Files.delete(file);
                } else {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                while (server.servingVersion() == before) {
                    if (System.nanoTime() - saved > 30_000_000_000L) {
                        throw new IllegalStateException("round " + r + ": no new snapshot after 30 s");
                    }
                    Thread.sleep(0, 200_000);
                }
                final long took = System.nanoTime() - saved;
                Thread.sleep(300); // let the round's work finish before reading the CPU counters
                final Map<String, Long> cpu1 = cpuByThread(threads);
                final long allocated = allocatedBy(threads, "archway-rebuild") - allocated0;
                live.add(took);
                StringBuilder split = new StringBuilder();
                cpu1.forEach((name, ns) -> {
                    long spent = ns - cpu0.getOrDefault(name, 0L);
                    if (spent >= 500_000 && name.startsWith("archway")) {
                        split.append(String.format(", %s %.1f ms", name, spent / 1e6));
                    }
                });
                split.append(String.format("; archway-rebuild allocated %d KiB", allocated / 1024));
                final long[] gc1 = collections();
                split.append(String.format("; gc %d, %d ms", gc1[0] - gc0[0], gc1[1] - gc0[1]));
                // Where the wall time from the rename went: each step's end, after the rename.
                final DirectorySource.Timing batch = server.lastBatch().orElseThrow();
                final RebuildLoop.Timing rebuild = server.lastRebuild();
                System.out.printf("round %d (route %d): swapped after %.1f ms (event %.1f, batch start %.1f, store %.1f,"
                                + " rebuild start %.1f, view %.1f, translation %.1f, swap %.1f, status %s); thread cpu%s%n",
                        r, route, took / 1e6, (batch.event() - saved) / 1e6, (batch.started() - saved) / 1e6,
                        (batch.applied() - saved) / 1e6, (rebuild.started() - saved) / 1e6,
                        (rebuild.viewed() - saved) / 1e6, (rebuild.translated() - saved) / 1e6,
                        (rebuild.swapped() - saved) / 1e6, rebuild.published() == 0 ? "not yet"
                                : String.format("%.1f", (rebuild.published() - saved) / 1e6), split);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        Collections.sort(live);
        System.out.printf("swapped after: median %.1f ms, max %.1f ms over %d rounds%n", live.get(live.size() / 2) / 1e6,
                live.get(live.size() - 1) / 1e6, live.size());
    }

    /**
     * The collections so far and their total time (ms), over every collector: a round that took one
     * waited for its pause (a young collection stops every thread).
     */
    private static long[] collections() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static String archwayThreads(Map<String, Long> cpu) {
        StringBuilder out = new StringBuilder();
        cpu.forEach((name, ns) -> {
            if (name.startsWith("archway")) {
                out.append(out.length() == 0 ? "" : ", ").append(String.format("%s %.0f ms", name, ns / 1e6));
            }
        });
        return out.toString();
    }

    /**
     * Bytes the named thread allocated so far (HotSpot's per-thread counter): what a change leaves
     * for the young collections, a count that survives a loaded machine.
     */
    private static long allocatedBy(ThreadMXBean threads, String name) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals(name)) {
                return ((com.sun.management.ThreadMXBean) threads).getThreadAllocatedBytes(info.getThreadId());
            }
        }
        return 0;
    }

    private static Map<String, Long> cpuByThread(ThreadMXBean threads) {
        Map<String, Long> out = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long ns = threads.getThreadCpuTime(info.getThreadId());
                if (ns > 0) {
                    out.merge(info.getThreadName().replaceAll("-\\d+$", "-N"), ns, Long::sum);
                }
            }
        }
        return out;
    }
}
