package io.archway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code archway explain route|request --config DIR}, in process. */
class ExplainCommandTest {
    static final String MANIFESTS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: archway}
            spec: {controllerName: archway.io/gateway-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: infra}
            spec:
              gatewayClassName: archway
              listeners:
              - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
              - name: other
                port: 8080
                protocol: HTTP
                allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: a}}}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: infra, labels: {team: b}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: stable, namespace: infra}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: stable-1, namespace: infra, labels: {kubernetes.io/service-name: stable}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.0.0.1]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: infra}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [www.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /api}}]
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: x-from, value: gw}]}
                backendRefs: [{name: stable, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}]
              - backendRefs: [{name: stable, port: 80}]
            """;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void write() throws Exception {
        Files.writeString(dir.resolve("all.yaml"), MANIFESTS);
    }

    @Test
    void explainRouteListenerByListener() {
        final Run r = run("explain", "route", "--config", dir.toString(), "-n", "infra", "web");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).startsWith("mode: standalone directory " + dir);
        assertThat(r.out()).contains("parentRef[0] Gateway infra/gw",
                "listener http (port 80, HTTP, hostname *.example.com): ATTACHED as www.example.com",
                "listener other (port 8080, HTTP, hostname (any)): not attached, NotAllowedByListeners",
                "allowedRoutes.namespaces.from Selector {team=a} vs labels of namespace infra"
                        + " {kubernetes.io/metadata.name=infra, team=b}: not allowed",
                "Service infra/missing:80 weight 1: BackendNotFound: Service infra/missing does not exist",
                "ResolvedRefs=False BackendNotFound");
    }

    @Test
    void explainRequestWinnerLosersFiltersAndBackends() throws Exception {
        final Run r = run("explain", "request", "--config", dir.toString(), "--gateway", "infra/gw", "--host",
                "www.example.com", "--path", "/api/v1", "-H", "x-a: 1", "--query", "q=1");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("request: GET www.example.com/api/v1?q=1",
                "answer: 200 proxied to Service infra/stable:80 (75.0%); 25.0% answered 500 (invalid backend)",
                "route: HTTPRoute infra/web rule 0 match 0: PathPrefix /api",
                "LOWER_PRECEDENCE",
                "path length: /api (4 characters) beats / (1)",
                "1. RequestHeaderModifier set x-from: gw",
                "Service infra/missing:80  weight 1  25.0%  invalid: BackendNotFound");

        final Run miss = run("explain", "request", "--config", dir.toString(), "--host", "nope.test", "--port", "80");
        assertThat(miss.code()).isEqualTo(0);
        assertThat(miss.out()).contains("answer: 404: no listener hostname on port 80 matches host nope.test");

        final Run json = run("explain", "request", "--config", dir.toString(), "--host", "www.example.com",
                "--port", "80", "-o", "json");
        final JsonNode tree = new ObjectMapper().readTree(json.out());
        assertThat(tree.get("answers").get(0).get("status").asInt()).isEqualTo(200);
        assertThat(tree.get("answers").get(0).get("route").get("ruleIndex").asInt()).isEqualTo(1);

        final Run yaml = run("explain", "route", "--config", dir.toString(), "infra/web", "-o", "yaml");
        assertThat(yaml.out()).contains("reason: NotAllowedByListeners");
    }

    static final String GRPC = """
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: GRPCRoute
            metadata: {name: users, namespace: infra}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [grpc.example.com]
              rules:
              - matches:
                - method: {service: com.example.User, method: Login}
                  headers: [{name: version, value: "2"}]
                backendRefs: [{name: stable, port: 80}]
              - matches: [{method: {service: com.example.User}}]
                backendRefs: [{name: missing, port: 80}]
            """;

    /** explain request --grpc SERVICE/METHOD: the GRPCRoute rule that wins, the losers, the backends. */
    @Test
    void explainGrpcCall() throws Exception {
        Files.writeString(dir.resolve("grpc.yaml"), GRPC);
        final Run r = run("explain", "request", "--config", dir.toString(), "--host", "grpc.example.com",
                "--grpc", "com.example.User/Login", "-H", "version: 2");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("request: POST grpc.example.com/com.example.User/Login",
                "route: GRPCRoute infra/users rule 0 match 0: Exact /com.example.User/Login, method POST, header version = 2",
                "LOWER_PRECEDENCE", "method length: 5 method characters beat 0", "Service infra/stable:80");

        final Run other = run("explain", "request", "--config", dir.toString(), "--host", "grpc.example.com",
                "--grpc", "com.example.User/Logout");
        assertThat(other.out()).contains("route: GRPCRoute infra/users rule 1 match 0", "invalid: BackendNotFound");

        final Run bad = run("explain", "request", "--config", dir.toString(), "--host", "grpc.example.com",
                "--grpc", "nomethod");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--grpc wants SERVICE/METHOD, got nomethod");

        final Run get = run("get", "grpcroutes", "--config", dir.toString(), "-A");
        assertThat(get.code()).as(get.err()).isEqualTo(0);
        assertThat(get.out()).contains("users");
    }

    static final String L4 = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: l4, namespace: infra}
            spec:
              gatewayClassName: archway
              listeners:
              - {name: db, port: 3306, protocol: TCP}
              - {name: tls, port: 443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: db, namespace: infra, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              parentRefs: [{name: l4, sectionName: db}]
              rules: [{backendRefs: [{name: stable, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: db-later, namespace: infra, creationTimestamp: "2026-03-01T00:00:00Z"}
            spec:
              parentRefs: [{name: l4, sectionName: db}]
              rules: [{backendRefs: [{name: stable, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: shop, namespace: infra}
            spec:
              parentRefs: [{name: l4, sectionName: tls}]
              hostnames: [shop.example.com]
              rules: [{backendRefs: [{name: stable, port: 80}]}]
            """;

    @Test
    void explainRequestForTcpAndTlsPassthroughConnections() throws Exception {
        Files.writeString(dir.resolve("all.yaml"), MANIFESTS + L4);
        final Run tcp = run("explain", "request", "--config", dir.toString(), "--port", "3306");
        assertThat(tcp.code()).as(tcp.err()).isEqualTo(0);
        assertThat(tcp.out()).contains("request: connection to port 3306", "(tcp) of infra/l4",
                "answer: forwarded to Service infra/stable:80 (100.0%)", "listener: infra/l4/db",
                "route: TCPRoute infra/db rule 0", "- TCPRoute infra/db-later: attached too",
                "Service infra/stable:80  weight 1  100.0%  1 ready endpoint(s) 10.0.0.1:8080");

        final Run tls = run("explain", "request", "--config", dir.toString(), "--port", "443", "--sni",
                "shop.example.com");
        assertThat(tls.code()).as(tls.err()).isEqualTo(0);
        assertThat(tls.out()).contains("(tls) of infra/l4", "server name: shop.example.com",
                "listener: infra/l4/tls", "route: TLSRoute infra/shop rule 0");

        final Run noSni = run("explain", "request", "--config", dir.toString(), "--port", "443", "-o", "json");
        final JsonNode tree = new ObjectMapper().readTree(noSni.out());
        final JsonNode c = tree.get("connections").get(0);
        assertThat(c.get("forwarded").asBoolean()).isFalse();
        assertThat(c.get("outcome").asText()).contains("no SNI given");

        final Run yaml = run("explain", "request", "--config", dir.toString(), "--port", "443", "--sni",
                "nope.example.org", "-o", "yaml");
        assertThat(yaml.out()).contains("outcome: \"closed: no listener hostname matches nope.example.org\"");

        // With --host, --sni is an HTTPS connection's name: on cleartext sockets it changes nothing.
        final Run http = run("explain", "request", "--config", dir.toString(), "--host", "h", "--sni", "s");
        assertThat(http.code()).as(http.err()).isEqualTo(0);
        assertThat(http.out()).doesNotContain("421");
    }

    @Test
    void notFoundIsExitCodeOneAndHelpWorks() {
        assertThat(run("explain", "route", "--config", dir.toString(), "nope").code()).isEqualTo(1);
        final Run gw = run("explain", "request", "--config", dir.toString(), "--gateway", "infra/nope", "--host", "h");
        assertThat(gw.code()).isEqualTo(1);
        assertThat(gw.err()).contains("error: Gateway infra/nope not found");
        final Run help = run("explain", "request", "--help");
        assertThat(help.code()).isEqualTo(0);
        assertThat(help.out()).contains("--gateway", "--kubernetes", "--config");
        assertThat(run("explain", "route", "x").code()).isEqualTo(2); // no --config / --kubernetes
    }
}
