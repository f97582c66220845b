package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archway.cli.ArchwayCommand;
import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archway command: validate exit codes, get against a live server, the shaded jar. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private void writeValid() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(18080));
        Files.writeString(dir.resolve("blue.yaml"), Manifests.service("blue", 9));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "x"));
    }

    @Test
    void validateAcceptsAValidDirectory() throws Exception {
        writeValid();
        Run r = run("validate", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(0);
        assertThat(r.out()).startsWith("OK: 3 file(s), 1 GatewayClass(es), 1 Gateway(s), 1 HTTPRoute(s)");
    }

    @Test
    void validateNamesFileAndLineOfAParseError() throws Exception {
        writeValid();
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "x").replace("port: 80", "port: eighty"));
        Run r = run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        // refused as the API server refuses it (the CRD says integer), with the note that the CEL rules
        // were not checked because of the type error
        assertThat(r.out()).contains(dir.resolve("route.yaml") + ":13: error: HTTPRoute default/route"
                + " spec.rules[0].backendRefs[0].port: Invalid value: \"string\": spec.rules[0].backendRefs[0].port in"
                + " body must be of type integer: \"string\"").contains("INVALID: 2 problem(s)");
    }

    @Test
    void getDiagnosticsNamesARefusedEditWhileTheLastGoodRouteKeepsServing() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(Manifests.freePort()));
        Files.writeString(dir.resolve("blue.yaml"), Manifests.service("blue", 9));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "x"));
        try (ArchwayServer server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false))) {
            String admin = "127.0.0.1:" + server.adminAddress().getPort();
            Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "x").replace("port: 80",
                    "port: 80\n    filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]"));
            server.reloadNow();
            Run diagnostics = run("get", "diagnostics", "--admin", admin);
            assertThat(diagnostics.code()).isEqualTo(0);
            assertThat(diagnostics.out()).contains(dir.resolve("route.yaml") + ":11: error: HTTPRoute default/route"
                    + " spec.rules[0]: Invalid value: \"object\": RequestRedirect filter must not be used together with"
                    + " backendRefs");
            Run routes = run("get", "httproutes", "--admin", admin);
            assertThat(routes.out().lines().toList().get(1)).as("the last good route keeps serving")
                    .matches("route +\\S+ +gw +1/1 +Resolved +\\d+s");
        }
    }

    @Test
    void validateReportsUnresolvedBackendWithLocation() throws Exception {
        writeValid();
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("missing", "x"));
        Run r = run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains(dir.resolve("route.yaml") + ":1: HTTPRoute default/route parent gw")
                .contains("ResolvedRefs=False (BackendNotFound)");
    }

    @Test
    void validateFlattenedSeedYaml() throws Exception {
        Files.writeString(dir.resolve("seed.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: Gateway
                metadata:
                  name: gateway-istio
                spec:
                gatewayClassName: istio
                listeners:
                - name: foo-https
                """);
        Run r = run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains(dir.resolve("seed.yaml") + ":5: error: Gateway gateway-istio spec:")
                .contains("flattened");
    }

    @Test
    void validateWarnsAboutGatewaysOfAnotherController() throws Exception {
        writeValid();
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(18080)
                .replace("archway.io/gateway-controller", "example.com/other"));
        Run r = run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains(dir.resolve("gateway.yaml") + ":8: warning: Gateway default/gw is not served by"
                + " Archway: its class 'archway' belongs to another controller");
    }

    @Test
    void validateUsageAndMissingDirectory() {
        assertThat(run("validate").code()).isEqualTo(2);
        assertThat(run("validate", "--bogus", dir.toString()).code()).isEqualTo(2);
        Run missing = run("validate", dir.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("is not a directory");
    }

    @Test
    void validateYamlOutputCarriesStatus() throws Exception {
        writeValid();
        Run r = run("validate", dir.toString(), "-o", "yaml");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).startsWith("apiVersion: v1\nitems:\n").contains("\nkind: List\n").contains("kind: HTTPRoute")
                .contains("type: Accepted");
        assertThat(r.err()).startsWith("OK:");
    }

    @Test
    void getAgainstALiveServer() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), Manifests.gateway(Manifests.freePort()));
        Files.writeString(dir.resolve("blue.yaml"), Manifests.service("blue", 9));
        Files.writeString(dir.resolve("route.yaml"), Manifests.route("blue", "x")
                .replace("spec:\n", "spec:\n  hostnames: [\"a.example.com\", \"b.example.com\"]\n"));
        try (ArchwayServer server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), 0,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false))) {
            String admin = "127.0.0.1:" + server.adminAddress().getPort();

            Run gws = run("get", "gateways", "--admin", admin);
            assertThat(gws.code()).isEqualTo(0);
            List<String> lines = gws.out().lines().toList();
            assertThat(lines.get(0)).matches("NAME +CLASS +ADDRESS +PROGRAMMED +ROUTES +AGE");
            assertThat(lines.get(1)).matches("gw +archway +127\\.0\\.0\\.1 +True +1 +\\d+s");
            assertThat(gws.err()).startsWith("mode: admin endpoint " + admin);
            assertThat(lines).hasSize(2);

            Run routes = run("get", "httproutes", "-A", "--admin", admin);
            assertThat(routes.out().lines().toList()).containsExactly(
                    routes.out().lines().toList().get(0), routes.out().lines().toList().get(1));
            assertThat(routes.out().lines().findFirst().orElseThrow())
                    .matches("NAMESPACE +NAME +HOSTNAMES +PARENTS +ACCEPTED +REFS +AGE");
            assertThat(routes.out().lines().toList().get(1))
                    .matches("default +route +a\\.example\\.com,b\\.example\\.com +gw +1/1 +Resolved +\\d+s");

            Run classes = run("get", "gc", "--admin", admin, "-o", "json");
            assertThat(classes.out()).contains("\"kind\" : \"List\"").contains("\"controllerName\" : \"archway.io/gateway-controller\"");

            Run yaml = run("get", "gateways", "-n", "default", "-o", "yaml", "--admin", admin);
            assertThat(yaml.out()).contains("kind: Gateway").contains("lastTransitionTime:");

            Run none = run("get", "gateways", "-n", "other", "--admin", admin);
            assertThat(none.code()).isEqualTo(0);
            assertThat(none.out()).isEmpty();
            assertThat(none.err()).contains("No resources found in other namespace.");

            assertThat(run("get", "pods", "--admin", admin).code()).isEqualTo(2);
        }
        Run down = run("get", "gateways", "--admin", "127.0.0.1:" + Manifests.freePort());
        assertThat(down.code()).isEqualTo(3);
        assertThat(down.err()).contains("cannot reach the archway admin endpoint");
    }

    @Test
    void shadedJarRunsValidate() throws Exception {
        Path jar = Paths.get("..", "archway-cli", "target", "archway.jar").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), "shaded jar not built: " + jar);
        writeValid();
        assertThat(java(jar, "validate", dir.toString())).isEqualTo(0);
        Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n");
        assertThat(java(jar, "validate", dir.toString())).isEqualTo(1);
        assertThat(java(jar, "--help")).isEqualTo(0);
        assertThat(java(jar, "serve")).as("--config is required").isEqualTo(2);
        Files.delete(dir.resolve("broken.yaml"));
        assertThat(java(jar, "weights", "set", "route", "blue=3", "--config", dir.toString(), "--admin",
                "127.0.0.1:" + Manifests.freePort())).as("the client library is in the jar").isEqualTo(0);
        assertThat(Files.readString(dir.resolve("route.yaml"))).contains("weight: 3");
        assertThat(java(jar, "canary", "status", "--state-dir", dir.resolve("state").toString())).isEqualTo(0);
    }

    private static int java(Path jar, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println(new String(output, StandardCharsets.UTF_8));
        return p.exitValue();
    }
}
