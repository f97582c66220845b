package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.cli.ArchwayCommand;
import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weight split, checked statistically over real sockets: weights are changed with
 * {@code archway weights set --config DIR} (directory back end, live reload of the running server),
 * then at least 2,000 requests go through the gateway and a chi-square test with one degree of
 * freedom at the 99.99% level (critical value 15.137) must accept the configured split; a weight of
 * 0 must receive nothing at all. Three splits are tested per run, so at 99.9% a fair picker failed
 * one CI run in about 330 (it did, 916/1084 at 50/50, chi-square 14.1); at 99.99% one in 3,300,
 * while a 55/45 bias at 2,000 requests still gives chi-square 20.
 */
class WeightSplitTest {
    static final double CHI_SQUARE_9999_1DF = 15.137;
    static final int REQUESTS = 2_000;

    @TempDir
    Path dir;
    private CountingBackend stable;
    private CountingBackend canary;
    private ArchwayServer server;
    private String admin;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @BeforeEach
    void start() throws Exception {
        stable = new CountingBackend("stable");
        canary = new CountingBackend("canary");
        port = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(port));
        Files.writeString(dir.resolve("backends.yaml"), Manifests.service("stable", stable.port()) + "---\n"
                + Manifests.service("canary", canary.port()));
        Files.writeString(dir.resolve("route.yaml"), """
                # the split under test
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: split
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - backendRefs:
                    - name: stable   # current version
                      port: 80
                      weight: 1
                    - name: canary
                      port: 80
                      weight: 1
                """);
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(50), true));
        admin = "127.0.0.1:" + server.adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (server != null) {
            server.close();
        }
        stable.close();
        canary.close();
    }

    @Test
    void splitFollowsTheWeightsSetByTheCli() throws Exception {
        Map<String, String> report = new TreeMap<>();
        for (int[] w : List.of(new int[] {90, 10}, new int[] {50, 50}, new int[] {1, 99})) {
            setWeights(w[0], w[1]);
            long[] seen = send(REQUESTS);
            double chi = chiSquare(seen, w);
            String line = String.format(Locale.ROOT, "%d/%d: stable %d, canary %d of %d; chi-square %.3f (< %.3f)",
                    w[0], w[1], seen[0], seen[1], REQUESTS, chi, CHI_SQUARE_9999_1DF);
            report.put(w[0] + "/" + w[1], line);
            System.out.println("weight split " + line);
            assertThat(seen[0] + seen[1]).isEqualTo(REQUESTS);
            assertThat(chi).as(line).isLessThan(CHI_SQUARE_9999_1DF);
        }

        setWeights(100, 0);
        long[] seen = send(REQUESTS);
        System.out.println("weight split 100/0: stable " + seen[0] + ", canary " + seen[1] + " of " + REQUESTS);
        assertThat(seen[1]).as("a weight of 0 sends nothing").isZero();
        assertThat(seen[0]).isEqualTo(REQUESTS);

        setWeights(0, 100);
        seen = send(REQUESTS);
        System.out.println("weight split 0/100: stable " + seen[0] + ", canary " + seen[1] + " of " + REQUESTS);
        assertThat(seen[0]).as("a weight of 0 sends nothing").isZero();
        assertThat(seen[1]).isEqualTo(REQUESTS);

        // The CLI edited only the weight scalars: the comments survive.
        assertThat(Files.readString(dir.resolve("route.yaml"))).contains("# the split under test")
                .contains("name: stable   # current version");
    }

    /** chi-square with one degree of freedom of the observed counts against the weights. */
    static double chiSquare(long[] observed, int[] weights) {
        long n = observed[0] + observed[1];
        int total = weights[0] + weights[1];
        double chi = 0;
        for (int i = 0; i < 2; i++) {
            double expected = n * (double) weights[i] / total;
            chi += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return chi;
    }

    /** archway weights set split stable=S canary=C --config DIR, then waits until the server serves it. */
    private void setWeights(int s, int c) throws Exception {
        long before = server.status().servedVersion();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "weights", "set", "split",
                "stable=" + s, "canary=" + c, "--config", dir.toString(), "--admin", admin);
        assertThat(code).as(out + "" + err).isEqualTo(0);
        assertThat(err.toString()).startsWith("mode: standalone directory " + dir + " (status from admin endpoint "
                + admin + ")");
        assertThat(out.toString()).contains("HTTPRoute default/split rule 0");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.status().servedVersion() == before) {
            assertThat(System.nanoTime()).as("the edit is served within 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
        stable.reset();
        canary.reset();
    }

    /** Sends n GETs through the gateway (8 keep-alive senders); returns {stable, canary} as the backends counted. */
    private long[] send(int n) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
        List<Future<?>> senders = new ArrayList<>();
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        for (int t = 0; t < 8; t++) {
            senders.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    bodies.computeIfAbsent(r.statusCode() + " " + r.body(), k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : senders) {
            f.get();
        }
        assertThat(bodies.keySet()).as("every answer is 200 from a backend: " + bodies)
                .isSubsetOf("200 stable", "200 canary");
        assertThat(stable.count() + canary.count()).isEqualTo(n);
        return new long[] {stable.count(), canary.count()};
    }
}
