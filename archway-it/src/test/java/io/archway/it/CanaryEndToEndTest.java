package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.cli.ArchwayCommand;
import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.source.KubeJson;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary against a live standalone gateway: two real backends behind an HTTPRoute, steady
 * traffic (about 200 requests/s) from a load generator, and {@code archway canary run} (the CLI, in
 * process) judging the canary from the gateway's own {@code /metrics}. Everything is asserted from
 * the traffic the backends saw (their arrival times), not from what the canary reported:
 *
 * <ol>
 *   <li>run 1 promotes: in each step's window the canary's share of the requests is the step's
 *       percentage (10, 50, 100; binomial tolerance) and grows step by step; at 100 the stable
 *       backend sees nothing;</li>
 *   <li>run 2: the canary starts answering 500 right after step 1 passed; the run rolls back at
 *       the end of that one interval (exit code 4, the reason names the error rate), after which
 *       the canary receives nothing and the stable backend everything.</li>
 * </ol>
 *
 * Step windows start when the gateway serves the new weights (its served version changes) plus a
 * settling margin, and end when the runner moves on; margins are generous so a loaded 2-core box
 * passes, while a split that did not move, or a rollback that did not happen, fails.
 */
class CanaryEndToEndTest {
    static final Duration INTERVAL = Duration.ofSeconds(2);
    /** Requests a step's window needs for its share check (with a margin over the 100 checked). */
    private static final long WINDOW_REQUESTS = 150;
    private Duration interval = INTERVAL;
    /** After the gateway serves new weights, requests already routed may still land: skip this much. */
    static final long SETTLE_NANOS = Duration.ofMillis(300).toNanos();

    @TempDir
    Path dir;
    @TempDir
    Path stateDir;
    private RecordingBackend stable;
    private RecordingBackend canary;
    private ArchwayServer server;
    private String admin;
    private int port;
    private VersionWatch versions;
    private Load load;

    @BeforeEach
    void start() throws Exception {
        stable = new RecordingBackend("stable");
        canary = new RecordingBackend("canary");
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port));
        Files.writeString(dir.resolve("backends.yaml"), Manifests.service("stable", stable.port()) + "---\n"
                + Manifests.service("canary", canary.port()));
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: checkout
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - name: main
                    backendRefs:
                    - name: stable
                      port: 80
                      weight: 100
                    - name: canary
                      port: 80
                      weight: 0
                """);
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(50), true));
        admin = "127.0.0.1:" + server.adminAddress().getPort();
        versions = new VersionWatch(server);
    }

    @AfterEach
    void stop() {
        if (load != null) {
            load.close();
        }
        if (versions != null) {
            versions.close();
        }
        if (server != null) {
            server.close();
        }
        stable.close();
        canary.close();
    }

    @Test
    void promotesStepByStepThenRollsBackWithinOneIntervalWhenTheCanaryFails() throws Exception {
        load = new Load(URI.create("http://127.0.0.1:" + port + "/checkout"), 4, Duration.ofMillis(20));
        // Warm up until the load flows at its pace (JIT, connections), all of it to stable.
        long warmDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long rate;
        do {
            long from = System.nanoTime();
            Thread.sleep(250);
            rate = stable.count(from, System.nanoTime()) * 4;
        } while (rate < 120 && System.nanoTime() < warmDeadline);
        // A loaded machine (CI beside other work) paces the load slower: the steps then last longer,
        // so that every window still holds the 100+ requests the share checks need.
        interval = Duration.ofSeconds(Math.max(INTERVAL.toSeconds(), (WINDOW_REQUESTS + rate - 1) / Math.max(rate, 1) + 1));
        System.out.println("canary e2e load: about " + rate + " requests/s; step interval " + interval);
        long warmEnd = System.nanoTime();
        assertThat(rate).as("load reaches the stable backend, requests/s").isGreaterThanOrEqualTo(30);
        assertThat(canary.total()).as("canary at weight 0").isZero();

        // ---- run 1: healthy canary, promoted ---------------------------------------------------------
        TimedLines out1 = new TimedLines(line -> { });
        Cli run1 = canaryRun(out1);
        assertThat(run1.code()).as(run1.text()).isEqualTo(0);
        assertThat(out1.text()).contains("PROMOTED: all 3 steps passed; canary carries 100%");
        assertThat(weights()).isEqualTo("stable=0 canary=100");

        long[] boundaries = {
            out1.first(l -> l.contains("canary of HTTPRoute default/checkout")),
            out1.first(l -> l.contains("step 1 passed")),
            out1.first(l -> l.contains("step 2 passed")),
            out1.first(l -> l.contains("step 3 passed")),
        };
        int[] planned = {10, 50, 100};
        double[] shares = new double[3];
        List<String> report = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            long effective = versions.firstChangeAfter(boundaries[k]);
            assertThat(effective).as("the gateway served the step %d weights", k + 1).isPositive()
                    .isLessThan(boundaries[k + 1]);
            long from = effective + SETTLE_NANOS;
            long to = boundaries[k + 1];
            long c = canary.count(from, to);
            long s = stable.count(from, to);
            shares[k] = (double) c / (c + s);
            String line = String.format(Locale.ROOT, "step %d (%d%%): canary %d / %d requests = %.1f%% over %d ms"
                    + " (weights served %d ms after the step began)", k + 1, planned[k], c, c + s, 100 * shares[k],
                    (to - from) / 1_000_000, (effective - boundaries[k]) / 1_000_000);
            report.add(line);
            System.out.println("canary e2e run 1 " + line);
            assertThat(to - from).as("window of step %d", k + 1).isGreaterThan(Duration.ofMillis(1000).toNanos());
            assertThat(c + s).as("traffic in the window of step %d: %s", k + 1, line).isGreaterThanOrEqualTo(100);
        }
        // Binomial tolerance: with >= 100 requests a window is within about 4 sigma of its weight.
        assertThat(shares[0]).as(report.get(0)).isBetween(0.02, 0.20);
        assertThat(shares[1]).as(report.get(1)).isBetween(0.35, 0.65);
        assertThat(shares[2]).as(report.get(2) + ": at 100% the stable backend gets nothing").isEqualTo(1.0);
        assertThat(shares[0]).isLessThan(shares[1]);
        assertThat(canary.count(warmEnd, boundaries[0])).as("no canary traffic before the run").isZero();

        // ---- run 2: the canary starts failing right after step 1 ---------------------------------------
        Cli reset = cli("weights", "set", "checkout", "stable=100", "canary=0");
        assertThat(reset.code()).as(reset.text()).isEqualTo(0);
        awaitServed("stable=100 canary=0");
        AtomicLong failedAt = new AtomicLong();
        TimedLines out2 = new TimedLines(line -> {
            if (line.contains("step 1 passed")) {
                // Called on the runner's thread before it sets the step 2 weights.
                canary.failing = true;
                failedAt.set(System.nanoTime());
            }
        });
        Cli run2 = canaryRun(out2);
        long returned = System.nanoTime();
        assertThat(run2.code()).as(run2.text()).isEqualTo(4);
        assertThat(out2.text()).containsPattern("ROLLED BACK to 100% stable: error rate \\d+\\.\\d\\d% \\(\\d+/\\d+ failed\\)"
                + " exceeds 1\\.00% at 50%");
        assertThat(failedAt.get()).as("the failure was injected after step 1").isPositive();
        assertThat(weights()).isEqualTo("stable=100 canary=0");

        long breach = out2.first(l -> l.contains("error rate") && l.contains("exceeds"));
        long rolledBack = versions.firstChangeAfter(breach);
        assertThat(rolledBack).as("the gateway served the rollback").isPositive();
        Thread.sleep(Math.max(1500, interval.toMillis() - 500)); // traffic keeps flowing after the rollback
        long end = System.nanoTime();
        load.close();

        long judged = breach - failedAt.get();
        long lastCanary = canary.last();
        long canaryAfter = canary.count(rolledBack + SETTLE_NANOS, end);
        long stableAfter = stable.count(rolledBack + SETTLE_NANOS, end);
        long failures = canary.count(failedAt.get(), end, 500);
        String summary = String.format(Locale.ROOT, "run 2: canary failing from t0; breach judged at t0+%d ms, rollback"
                        + " served at t0+%d ms, last canary request at t0+%d ms; canary answered %d x 500; after the"
                        + " rollback canary %d, stable %d requests; CLI returned at t0+%d ms", judged / 1_000_000,
                (rolledBack - failedAt.get()) / 1_000_000, (lastCanary - failedAt.get()) / 1_000_000, failures,
                canaryAfter, stableAfter, (returned - failedAt.get()) / 1_000_000);
        System.out.println("canary e2e " + summary);
        // Rolled back within one interval of the failure (plus scrape, file edit and reload overhead).
        long oneInterval = interval.toNanos();
        assertThat(judged).as(summary).isLessThan(oneInterval + Duration.ofMillis(1500).toNanos());
        assertThat(lastCanary - failedAt.get()).as(summary).isLessThan(oneInterval + Duration.ofMillis(2000).toNanos());
        assertThat(failures).as("the failing canary was seen failing: " + summary).isGreaterThanOrEqualTo(10);
        assertThat(canaryAfter).as("no canary traffic after the rollback: " + summary).isZero();
        assertThat(stableAfter).as("stable takes all of it: " + summary).isGreaterThanOrEqualTo(100);

        assertThat(load.unexpected()).as("every answer came from a backend (200, or 500 from the failing canary)")
                .isEmpty();
    }

    record Cli(int code, String out, String err) {
        String text() {
            return out + err;
        }
    }

    private Cli canaryRun(TimedLines out) {
        StringWriter err = new StringWriter();
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "canary", "run",
                "checkout", "--stable", "stable", "--canary", "canary", "--steps", "10,50,100",
                "--interval", interval.toSeconds() + "s", "--max-error-rate", "1%", "--min-requests", "10",
                "--progress", "plain", "--state-dir", stateDir.toString(), "--config", dir.toString(), "--admin", admin);
        System.out.print(out.text());
        return new Cli(code, out.text(), err.toString());
    }

    private Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = dir.toString();
        all[args.length + 2] = "--admin";
        all[args.length + 3] = admin;
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Cli(code, out.toString(), err.toString());
    }

    private String weights() throws Exception {
        JsonNode json = KubeJson.mapper().readTree(cli("weights", "show", "checkout", "-o", "json").out());
        JsonNode b = json.path("rules").get(0).path("backends");
        return b.get(0).path("name").asText() + "=" + b.get(0).path("weight").asInt() + " "
                + b.get(1).path("name").asText() + "=" + b.get(1).path("weight").asInt();
    }

    /** Waits until the stable backend alone gets traffic again. */
    private void awaitServed(String expectedWeights) throws Exception {
        assertThat(weights()).isEqualTo(expectedWeights);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            long from = System.nanoTime();
            Thread.sleep(300);
            if (canary.count(from, System.nanoTime()) == 0) {
                return;
            }
            assertThat(System.nanoTime()).as("the reset to 100% stable is served").isLessThan(deadline);
        }
    }

    /** A writer that timestamps each line the CLI prints (and may react to it on the printing thread). */
    static final class TimedLines extends Writer {
        record Line(long at, String text) {
        }

        private final List<Line> lines = new CopyOnWriteArrayList<>();
        private final StringBuilder current = new StringBuilder();
        private final Consumer<String> onLine;

        TimedLines(Consumer<String> onLine) {
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    String text = current.toString();
                    current.setLength(0);
                    lines.add(new Line(System.nanoTime(), text));
                    onLine.accept(text);
                } else if (buf[i] != '\r') {
                    current.append(buf[i]);
                }
            }
        }

        /** When the first line matching {@code p} was printed (System.nanoTime()). */
        long first(Predicate<String> p) {
            return lines.stream().filter(l -> p.test(l.text())).mapToLong(Line::at).findFirst()
                    .orElseThrow(() -> new AssertionError("no such line in:\n" + text()));
        }

        String text() {
            StringBuilder b = new StringBuilder();
            lines.forEach(l -> b.append(l.text()).append('\n'));
            return b.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** Records when the gateway starts serving each new snapshot version. */
    static final class VersionWatch implements AutoCloseable {
        private final List<long[]> changes = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stopped;

        VersionWatch(ArchwayServer server) {
            thread = new Thread(() -> {
                long last = server.status().servedVersion();
                while (!stopped) {
                    long v = server.status().servedVersion();
                    if (v != last) {
                        changes.add(new long[] {System.nanoTime(), v});
                        last = v;
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "served-version-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** The first time after {@code t} that a new version was served; waits up to 5 s for it; -1 if none. */
        long firstChangeAfter(long t) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                long at = changes.stream().mapToLong(c -> c[0]).filter(x -> x > t).findFirst().orElse(-1);
                if (at > 0 || System.nanoTime() > deadline) {
                    return at;
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() {
            stopped = true;
            thread.interrupt();
        }
    }

    /**
     * Steady traffic: {@code threads} senders, one request each per {@code period} (no bursts to catch
     * up), bounded to 60 s and 20,000 requests. Statuses other than 200 and 500, and failures, are kept.
     */
    static final class Load implements AutoCloseable {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicInteger sent = new AtomicInteger();
        private final Map<String, AtomicInteger> unexpected = new ConcurrentHashMap<>();
        private final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        private volatile boolean stopped;

        Load(URI uri, int threads, Duration period) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    long next = System.nanoTime();
                    while (!stopped && System.nanoTime() < deadline && sent.incrementAndGet() <= 20_000) {
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200 && r.statusCode() != 500) {
                                unexpected.computeIfAbsent(r.statusCode() + " " + r.body(), k -> new AtomicInteger())
                                        .incrementAndGet();
                            }
                            next += period.toNanos();
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            } else {
                                next = System.nanoTime();
                            }
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            unexpected.computeIfAbsent(e.toString(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }, "load-" + t);
                th.setDaemon(true);
                th.start();
                this.threads.add(th);
            }
        }

        Map<String, AtomicInteger> unexpected() {
            return unexpected;
        }

        @Override
        public void close() {
            stopped = true;
            for (Thread t : threads) {
                try {
                    t.join(6_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
