package io.archway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminStatusProviderTest {

    HttpServer server;
    List<String> requests = new ArrayList<>();
    AdminStatusProvider provider;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.add(ex.getRequestURI().toString());
            String path = ex.getRequestURI().getPath();
            String body;
            int code = 200;
            if (path.equals("/api/v1/httproutes")) {
                // as the server's AdminServer answers: a kubectl-style List
                body = """
                        {"apiVersion":"v1","items":[{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
                          "metadata":{"name":"checkout","namespace":"shop","resourceVersion":"12"},
                          "status":{"parents":[{"controllerName":"archway.io/gateway-controller","parentRef":{"name":"edge"},
                            "conditions":[{"type":"Accepted","status":"True","reason":"Accepted","observedGeneration":1}]}]}}],
                         "kind":"List","metadata":{"resourceVersion":"12"}}
                        """;

            } else if (path.equals("/api/v1/gateways")) {
                code = 500;
                body = "boom";
            } else {
                code = 404;
                body = "no";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(code, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        provider = new AdminStatusProvider(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsStatusesFromTheAdminEndpoint() {
        var routes = provider.httpRoutes("shop");
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).getStatus().getParents().get(0).getConditions().get(0).getType()).isEqualTo("Accepted");
        assertThat(requests).containsExactly("/api/v1/httproutes?namespace=shop");
        provider.httpRoutes(null);
        assertThat(requests).last().isEqualTo("/api/v1/httproutes");
    }

    @Test
    void missingEndpointIsEmptyAndServerErrorsAreReported() {
        assertThat(provider.grpcRoutes(null)).isEmpty();
        assertThatThrownBy(() -> provider.gateways(null)).isInstanceOf(ArchwayClientException.class).hasMessageContaining("500");
    }
}
