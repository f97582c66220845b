package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ListenerSet over real sockets: its listener opens its own port on the Gateway's address, and a
 * route whose parentRef is the ListenerSet reaches its backend there, while the Gateway's own
 * listener serves the Gateway's routes; when the Gateway stops allowing ListenerSets the set's
 * port closes and its status says NotAllowed.
 */
class ListenerSetEndToEndTest {
    @TempDir
    Path dir;
    private Backend blue;
    private Backend green;
    private ArchwayServer server;
    private int gatewayPort;
    private int setPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        gatewayPort = Manifests.freePort();
        setPort = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), gateway("Same"));
        Files.writeString(dir.resolve("set.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata:
                  name: team
                spec:
                  parentRef:
                    name: gw
                  listeners:
                  - name: app
                    protocol: HTTP
                    port: %d
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: via-set
                spec:
                  parentRefs:
                  - kind: ListenerSet
                    group: gateway.networking.k8s.io
                    name: team
                  rules:
                  - backendRefs:
                    - name: blue
                      port: 80
                """.formatted(setPort));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("green", "gateway"));
        Files.writeString(dir.resolve("blue.yaml"), Manifests.service("blue", blue.port()));
        Files.writeString(dir.resolve("green.yaml"), Manifests.service("green", green.port()));
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(100), true));
    }

    private String gateway(String allowed) {
        return Manifests.gateway(gatewayPort) + """
                  allowedListeners:
                    namespaces:
                      from: %s
                """.formatted(allowed);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        blue.close();
        green.close();
    }

    private String get(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "io " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(Supplier<String> probe, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected '" + expected + "', last was '" + last + "'");
    }

    private ListenerSet listenerSet() {
        return (ListenerSet) server.status().list("listenersets", "default").get(0);
    }

    private static String condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).map(c -> c.getStatus() + "/" + c.getReason())
                .findFirst().orElse("none");
    }

    @Test
    void routeThroughListenerSetReachesItsBackendOnTheSetsOwnPort() throws Exception {
        assertThat(get(setPort)).isEqualTo("200 blue");
        assertThat(get(gatewayPort)).as("the Gateway's own listener serves only Gateway routes").isEqualTo("200 green");

        ListenerSet set = listenerSet();
        assertThat(condition(set.getStatus().getConditions(), "Accepted")).isEqualTo("True/Accepted");
        assertThat(condition(set.getStatus().getConditions(), "Programmed")).isEqualTo("True/Programmed");
        assertThat(set.getStatus().getListeners()).singleElement().satisfies(l -> {
            assertThat(l.getName()).isEqualTo("app");
            assertThat(l.getAttachedRoutes()).isEqualTo(1);
            assertThat(condition(l.getConditions(), "Conflicted")).isEqualTo("False/NoConflicts");
            assertThat(l.getConditions().get(0).getLastTransitionTime()).isNotNull();
        });
        Gateway gw = (Gateway) server.status().list("gateways", "default").get(0);
        assertThat(gw.getStatus().getAttachedListenerSets()).isEqualTo(1);
        assertThat(gw.getStatus().getListeners()).as("a Gateway's status lists its own listeners only").hasSize(1);
    }

    /** The CLI over the same world: the set in {@code get}, and its listener named by origin in {@code explain}. */
    @Test
    void cliShowsTheSetAndExplainNamesItsListener() {
        String admin = "127.0.0.1:" + server.adminAddress().getPort();
        String[] get = run("get", "listenersets", "--admin", admin);
        assertThat(get[0]).as(get[2]).isEqualTo("0");
        assertThat(get[1].lines().toList()).hasSize(2);
        assertThat(get[1].lines().toList().get(0)).matches("NAME +GATEWAY +ACCEPTED +PROGRAMMED +LISTENERS +ROUTES +AGE");
        assertThat(get[1].lines().toList().get(1)).matches("team +gw +True +True +1/1 +1 +\\d+s");

        String[] explain = run("explain", "request", "--config", dir.toString(), "--port", Integer.toString(setPort),
                "--host", "app.test", "--path", "/x");
        assertThat(explain[0]).as(explain[2]).isEqualTo("0");
        assertThat(explain[1]).contains("ListenerSet/default/team/app", "route: HTTPRoute default/via-set rule 0");
    }

    private static String[] run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.archway.cli.ArchwayCommand.execute(new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void gatewayNoLongerAllowingListenerSetsClosesTheSetsPort() throws Exception {
        assertThat(get(setPort)).isEqualTo("200 blue");

        Manifests.save(dir.resolve("gateway.yaml"), gateway("None"));
        await(() -> get(setPort), "io ConnectException");

        assertThat(get(gatewayPort)).isEqualTo("200 green");
        // the data plane swaps first, then the status view publishes
        await(() -> condition(listenerSet().getStatus().getConditions(), "Accepted"), "False/NotAllowed");
        ListenerSet set = listenerSet();
        assertThat(condition(set.getStatus().getConditions(), "Programmed")).isEqualTo("False/NotAllowed");
        Gateway gw = (Gateway) server.status().list("gateways", "default").get(0);
        assertThat(gw.getStatus().getAttachedListenerSets()).isEqualTo(0);
    }
}
