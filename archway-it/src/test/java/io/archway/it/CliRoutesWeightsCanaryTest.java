package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.cli.ArchwayCommand;
import io.archway.client.RouteRef;
import io.archway.client.canary.CanaryState;
import io.archway.client.canary.CanaryStateStore;
import io.archway.server.ArchwayServer;
import io.archway.server.MicrometerTrafficMetrics;
import io.archway.server.ServerConfig;
import io.archway.source.KubeJson;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** get routes/grpcroutes, weights show/set and canary run/status/abort, in process, against a live server. */
class CliRoutesWeightsCanaryTest {
    @TempDir
    Path dir;
    @TempDir
    Path stateDir;
    private ArchwayServer server;
    private String admin;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private String[] cfg(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = dir.toString();
        all[args.length + 2] = "--admin";
        all[args.length + 3] = admin;
        return all;
    }

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(Manifests.freePort()));
        Files.writeString(dir.resolve("backends.yaml"), Manifests.service("stable", 9) + "---\n"
                + Manifests.service("canary", 9));
        Files.writeString(dir.resolve("route.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: split
                spec:
                  parentRefs:
                  - name: gw
                  # not grpc.example.com: an HTTPRoute and a GRPCRoute never share a hostname on a listener
                  hostnames: ["www.example.com"]
                  rules:
                  - name: main
                    backendRefs:
                    - name: stable
                      port: 80
                      weight: 90
                    - name: canary
                      port: 80
                      weight: 10
                """);
        Files.writeString(dir.resolve("grpc.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata:
                  name: api
                spec:
                  parentRefs:
                  - name: gw
                  hostnames: ["grpc.example.com"]
                  rules:
                  - backendRefs:
                    - name: grpc-v1
                      port: 9000
                    - name: grpc-v2
                      port: 9000
                      weight: 0
                """);
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(50), true));
        admin = "127.0.0.1:" + server.adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void getRoutesAndGrpcRoutesInEveryMode() throws Exception {
        Run routes = run(cfg("get", "routes"));
        assertThat(routes.code()).as(routes.err()).isEqualTo(0);
        assertThat(routes.err()).startsWith("mode: standalone directory " + dir + " (status from admin endpoint " + admin + ")");
        List<String> lines = routes.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("KIND +NAME +HOSTNAMES +PARENTS +ACCEPTED +REFS +AGE");
        // grpc-v1 and grpc-v2 have no Service: accepted, refs not resolved; AGE from the server
        assertThat(lines.get(1)).matches("GRPCRoute +api +grpc\\.example\\.com +gw +1/1 +BackendNotFound +\\d+s");
        assertThat(lines.get(2)).as("AGE from the server").matches("HTTPRoute +split +www\\.example\\.com +gw +1/1 +Resolved +\\d+s");

        Run grpc = run(cfg("get", "grpcroutes", "-o", "json"));
        assertThat(grpc.code()).isEqualTo(0);
        JsonNode list = KubeJson.mapper().readTree(grpc.out());
        assertThat(list.path("kind").asText()).isEqualTo("List");
        assertThat(list.path("items")).hasSize(1);
        assertThat(list.path("items").get(0).path("kind").asText()).isEqualTo("GRPCRoute");
        assertThat(list.path("items").get(0).path("metadata").path("name").asText()).isEqualTo("api");

        Run grpcTable = run(cfg("get", "grpcroutes", "-A"));
        assertThat(grpcTable.out().lines().toList()).hasSize(2);
        assertThat(grpcTable.out().lines().findFirst().orElseThrow())
                .matches("NAMESPACE +NAME +HOSTNAMES +PARENTS +ACCEPTED +REFS +AGE");

        Run gws = run(cfg("get", "gateways"));
        // attached: the HTTPRoute and the GRPCRoute
        assertThat(gws.out().lines().toList().get(1)).matches("gw +archway +127\\.0\\.0\\.1 +True +2 +\\d+s");

        Run routesJson = run(cfg("get", "routes", "-A", "-o", "json"));
        assertThat(KubeJson.mapper().readTree(routesJson.out()).path("items")).hasSize(2);

        // Without status: the admin endpoint is not there.
        Run noStatus = run("get", "httproutes", "--config", dir.toString(), "--admin", "127.0.0.1:" + Manifests.freePort());
        assertThat(noStatus.code()).isEqualTo(0);
        assertThat(noStatus.err()).contains("(no status: admin endpoint");
        assertThat(noStatus.out().lines().toList().get(1)).matches("split +www\\.example\\.com +gw +- +- +.*");

        // Admin-only mode: what the server serves, GRPCRoutes included.
        Run adminRoutes = run("get", "routes", "--admin", admin);
        assertThat(adminRoutes.err()).startsWith("mode: admin endpoint " + admin);
        assertThat(adminRoutes.out().lines().toList()).hasSize(3);
        assertThat(adminRoutes.out().lines().toList().get(1))
                .matches("GRPCRoute +api +grpc\\.example\\.com +gw +1/1 +BackendNotFound +\\d+s");
        assertThat(adminRoutes.out().lines().toList().get(2)).matches("HTTPRoute +split +www\\.example\\.com +gw +1/1 +Resolved +\\d+s");
        Run adminGrpc = run("get", "grpcroutes", "--admin", admin);
        assertThat(adminGrpc.code()).isEqualTo(0);
        assertThat(adminGrpc.out().lines().toList()).hasSize(2);
        assertThat(adminGrpc.out().lines().toList().get(1)).startsWith("api ");

        assertThat(run("get", "routes", "--config", dir.toString(), "--kubernetes").code()).isEqualTo(2);
        assertThat(run("get", "routes", "--config", dir.resolve("nope").toString()).code()).isEqualTo(3);
        assertThat(run("get", "routes", "--help").code()).isEqualTo(0);
    }

    @Test
    void weightsShowAndSet() throws Exception {
        Run show = run(cfg("weights", "show", "split"));
        assertThat(show.code()).as(show.err()).isEqualTo(0);
        assertThat(show.err()).startsWith("mode: standalone directory");
        assertThat(show.out().lines().toList()).containsExactly("HTTPRoute default/split",
                show.out().lines().toList().get(1), show.out().lines().toList().get(2), show.out().lines().toList().get(3));
        assertThat(show.out().lines().toList().get(1)).matches("RULE +BACKEND +NAMESPACE +WEIGHT +SHARE");
        assertThat(show.out().lines().toList().get(2)).matches("0 \\(main\\) +stable +default +90 +90%");
        assertThat(show.out().lines().toList().get(3)).matches("0 \\(main\\) +canary +default +10 +10%");

        Run set = run(cfg("weights", "set", "split", "--rule-name", "main", "stable=25", "canary=75"));
        assertThat(set.code()).as(set.err()).isEqualTo(0);
        assertThat(set.out()).contains("HTTPRoute default/split rule 0 (main): weights set")
                .containsPattern("stable +default +90 -> 25 +25%").containsPattern("canary +default +10 -> 75 +75%");
        JsonNode json = KubeJson.mapper().readTree(run(cfg("weights", "show", "default/split", "-o", "json")).out());
        assertThat(json.path("rules").get(0).path("backends").get(1).path("weight").asInt()).isEqualTo(75);
        assertThat(json.path("rules").get(0).path("backends").get(1).path("percent").asDouble()).isEqualTo(75.0);

        Run unknown = run(cfg("weights", "set", "split", "stable=50", "cnary=50"));
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("backend 'cnary'").contains("known backends: stable, canary");
        Run missing = run(cfg("weights", "set", "nope", "stable=1"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no HTTPRoute or GRPCRoute default/nope");
        assertThat(run(cfg("weights", "set", "split", "--rule", "3", "stable=1")).code()).isEqualTo(1);
        Run allZero = run(cfg("weights", "set", "split", "stable=0", "canary=0"));
        assertThat(allZero.code()).isEqualTo(1);
        assertThat(allZero.err()).contains("would be 0");
        assertThat(run(cfg("weights", "set", "split", "stable=0", "canary=0", "--allow-all-zero")).code()).isEqualTo(0);
        assertThat(run(cfg("weights", "set", "split", "stable=ten")).code()).isEqualTo(2);
        assertThat(run(cfg("weights", "set", "split")).code()).as("no assignment").isEqualTo(2);
        assertThat(run(cfg("weights", "set", "split", "--rule", "0", "--rule-name", "main", "stable=1")).code())
                .isEqualTo(2);
        Run noMode = run("weights", "set", "split", "stable=1");
        assertThat(noMode.code()).isEqualTo(2);
        assertThat(noMode.err()).contains("--config DIR (standalone) or --kubernetes");

        // A GRPCRoute: found by name, or with an explicit kind.
        Run grpc = run(cfg("weights", "set", "api", "grpc-v2=20", "grpc-v1=80"));
        assertThat(grpc.code()).as(grpc.err()).isEqualTo(0);
        assertThat(grpc.out()).contains("GRPCRoute default/api rule 0: weights set")
                .containsPattern("grpc-v1 +default +1 -> 80 +80%");
        Run grpcShow = run(cfg("weights", "show", "grpcroute/default/api"));
        assertThat(grpcShow.out()).containsPattern("0 +grpc-v2 +default +20 +20%");
        assertThat(Files.readString(dir.resolve("grpc.yaml"))).contains("weight: 20");
    }

    @Test
    void canaryStatusAndAbortThroughTheStateFile() throws Exception {
        CanaryStateStore store = new CanaryStateStore(stateDir);
        String sd = stateDir.toString();
        Run none = run("canary", "status", "--state-dir", sd);
        assertThat(none.code()).isEqualTo(0);
        assertThat(none.err()).contains("mode: canary state directory " + sd).contains("No canary runs");

        RouteRef ref = RouteRef.http("default", "split");
        store.save(state(ref, CanaryState.Phase.RUNNING, ProcessHandle.current().pid()));
        Run status = run("canary", "status", "--state-dir", sd);
        assertThat(status.code()).isEqualTo(0);
        assertThat(status.out().lines().toList().get(0)).matches("ROUTE +PHASE +STEP +CANARY +STABLE +UPDATED +DETAIL");
        assertThat(status.out().lines().toList().get(1))
                .matches("HTTPRoute default/split +RUNNING +2/6 +canary 10% +stable 90% +\\d+s ago +step 2/6: .*");
        Run one = run("canary", "status", "split", "-o", "json", "--state-dir", sd);
        assertThat(KubeJson.mapper().readTree(one.out()).path("phase").asText()).isEqualTo("RUNNING");
        assertThat(run("canary", "status", "other", "--state-dir", sd).code()).isEqualTo(1);

        Run abort = run("canary", "abort", "split", "--state-dir", sd);
        assertThat(abort.code()).as(abort.err()).isEqualTo(0);
        assertThat(abort.out()).contains("abort requested for HTTPRoute default/split");
        assertThat(store.abortRequested(ref)).isTrue();
        store.clearAbort(ref);

        store.save(state(ref, CanaryState.Phase.PROMOTED, ProcessHandle.current().pid()));
        Run ended = run("canary", "abort", "split", "--state-dir", sd);
        assertThat(ended.code()).isEqualTo(1);
        assertThat(ended.err()).contains("is running").contains("PROMOTED");
        assertThat(store.abortRequested(ref)).isFalse();

        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        store.save(state(ref, CanaryState.Phase.RUNNING, gone.pid()));
        Run stale = run("canary", "abort", "split", "--state-dir", sd);
        assertThat(stale.code()).isEqualTo(3);
        assertThat(stale.err()).contains("is gone").contains("archway weights set default/split stable=100 canary=0");
        assertThat(run("canary", "status", "--state-dir", sd).out()).contains("runner pid " + gone.pid() + " gone");
        assertThat(run("canary", "abort", "--help").code()).isEqualTo(0);
    }

    private static CanaryState state(RouteRef ref, CanaryState.Phase phase, long pid) {
        return new CanaryState(ref.toString(), ref.kind(), ref.namespace(), ref.name(), "stable", "canary",
                List.of(5, 10, 25, 50, 75, 100), 1, 10, phase, "step 2/6: canary 10%, stable 90%", Instant.now(),
                Instant.now(), pid, List.of());
    }

    /**
     * canary run reading the server's real /metrics, fed through {@link MicrometerTrafficMetrics}
     * as the proxy will: promoted on healthy traffic, rolled back on 5xx and on a slow p99, aborted
     * from "another terminal".
     */
    @Test
    void canaryRunJudgesTheGatewaysOwnMetrics() throws Exception {
        MicrometerTrafficMetrics traffic = server.trafficMetrics();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        int[] status = {200};
        long[] nanos = {2_000_000};
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 20; i++) {
                traffic.requestCompleted("HTTPRoute", "default", "split", "main", "default", "canary", 80,
                        i == 0 ? status[0] : 200, nanos[0]);
                traffic.requestCompleted("HTTPRoute", "default", "split", "main", "default", "stable", 80, 200, 1_000_000);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        String sd = stateDir.toString();
        try {
            Run promoted = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canary", "--steps", "10,50",
                    "--interval", "200ms", "--max-error-rate", "1%", "--max-p99", "500ms", "--min-requests", "5",
                    "--state-dir", sd));
            assertThat(promoted.code()).as(promoted.out() + promoted.err()).isEqualTo(0);
            assertThat(promoted.err()).startsWith("mode: standalone directory").contains("metrics: http://" + admin + "/metrics");
            assertThat(promoted.out()).contains("step 1/2: canary 10%, stable 90%").contains("step 2 passed")
                    .contains("PROMOTED: all 2 steps passed");
            assertThat(weights()).isEqualTo("stable=50 canary=50");
            assertThat(run("canary", "status", "split", "--state-dir", sd).out()).contains("PROMOTED");

            status[0] = 503; // one canary request in 20 fails: 5% > 1%
            Run failing = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canary", "--steps", "5,50",
                    "--interval", "200ms", "--state-dir", sd));
            assertThat(failing.code()).as(failing.out() + failing.err()).isEqualTo(4);
            assertThat(failing.out()).containsPattern("ROLLED BACK to 100% stable: error rate \\d+\\.\\d+% .* exceeds 1\\.00%");
            assertThat(weights()).isEqualTo("stable=100 canary=0");

            status[0] = 200;
            nanos[0] = 900_000_000; // p99 about 0.9 s
            Run slow = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canary", "--steps", "5",
                    "--interval", "200ms", "--max-p99", "500ms", "--state-dir", sd));
            assertThat(slow.code()).as(slow.out() + slow.err()).isEqualTo(4);
            assertThat(slow.out()).contains("p99 latency").contains("exceeds 500ms");
            nanos[0] = 2_000_000;

            CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> run(cfg("canary", "run", "split",
                    "--stable", "stable", "--canary", "canary", "--steps", "10,20", "--interval", "20s", "--state-dir", sd)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!weights().equals("stable=90 canary=10")) {
                assertThat(System.nanoTime()).as("the run starts").isLessThan(deadline);
                Thread.sleep(20);
            }
            Run abort = run("canary", "abort", "split", "--wait", "--state-dir", sd);
            assertThat(abort.code()).as(abort.out() + abort.err()).isEqualTo(0);
            assertThat(abort.out()).contains("ABORTED");
            Run aborted = running.get(10, TimeUnit.SECONDS);
            assertThat(aborted.code()).as(aborted.out() + aborted.err()).isEqualTo(5);
            assertThat(aborted.out()).contains("ABORTED, back to 100% stable");
            assertThat(weights()).isEqualTo("stable=100 canary=0");

            Run badSteps = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canary", "--steps", "50,10",
                    "--state-dir", sd));
            assertThat(badSteps.code()).isEqualTo(2);
            Run badBackend = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canery",
                    "--interval", "100ms", "--state-dir", sd));
            assertThat(badBackend.code()).isEqualTo(1);
            assertThat(badBackend.err()).contains("known backends: stable, canary");
            Run noMetrics = run(cfg("canary", "run", "split", "--stable", "stable", "--canary", "canary",
                    "--metrics", "http://127.0.0.1:" + Manifests.freePort() + "/metrics", "--state-dir", sd));
            assertThat(noMetrics.code()).isEqualTo(3);
            assertThat(noMetrics.err()).contains("cannot read the gateway's metrics").contains("no weight was changed");
            assertThat(weights()).isEqualTo("stable=100 canary=0");
        } finally {
            load.shutdownNow();
        }
    }

    private String weights() throws Exception {
        JsonNode json = KubeJson.mapper().readTree(run(cfg("weights", "show", "split", "-o", "json")).out());
        JsonNode b = json.path("rules").get(0).path("backends");
        return b.get(0).path("name").asText() + "=" + b.get(0).path("weight").asInt() + " "
                + b.get(1).path("name").asText() + "=" + b.get(1).path("weight").asInt();
    }
}
