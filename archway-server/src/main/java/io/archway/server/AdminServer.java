package io.archway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.translate.Diagnostic;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint (JDK HTTP server; loopback by default, 127.0.0.1:9901). Read-only:
 *
 * <ul>
 *   <li>{@code GET /api/v1/gatewayclasses|gateways|httproutes[?namespace=NS]}: a kubectl-style
 *       {@code List} (as {@code kubectl get -o json}) of the resources with their status;
 *       {@code metadata.resourceVersion} is the served snapshot version</li>
 *   <li>{@code GET /api/v1/diagnostics}: load and translation problems, with file and line</li>
 *   <li>{@code GET /healthz} (liveness): 200 while the process runs and, when a liveness check is
 *       given, it passes (the data plane: a task scheduled on each event loop answers); 503 otherwise</li>
 *   <li>{@code GET /readyz}: 200 once a first snapshot is served (and not shutting down), 503 before,
 *       with the reason (in Kubernetes mode, the informers still waiting and their last errors)</li>
 *
 *   <li>{@code GET /metrics}: Prometheus text (added by {@link ArchwayServer}); see docs/DESIGN.md</li>
 * </ul>
 *
 * <p>{@code GET /api/v1/grpcroutes} answers an empty {@code List} until GRPCRoutes are translated.
 * More endpoints can be added with {@link #addHandler}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9901;

    private final HttpServer server;
    private final ExecutorService executor;
    private final StatusView status;
    private final BooleanSupplier ready;
    private final ObjectMapper mapper = KubeJson.mapper();

    private AdminServer(HttpServer server, StatusView status, BooleanSupplier ready) {
        this.server = server;
        this.status = status;
        this.ready = ready;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "archway-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
    }

    /** Binds and starts the admin endpoint. */
    public static AdminServer start(InetSocketAddress address, StatusView status, BooleanSupplier ready)
            throws IOException {
        return start(address, status, ready, () -> true);
    }

    /** Binds and starts the admin endpoint; {@code live} answers {@code /healthz}. */
    public static AdminServer start(InetSocketAddress address, StatusView status, BooleanSupplier ready,
                                    BooleanSupplier live) throws IOException {
        return start(address, status, ready, live, () -> "no snapshot served yet, or shutting down");
    }

    /**
     * Binds and starts the admin endpoint; {@code live} answers {@code /healthz}, and
     * {@code notReadyReason} says why {@code /readyz} answers 503.
     */
    public static AdminServer start(InetSocketAddress address, StatusView status, BooleanSupplier ready,
                                    BooleanSupplier live, Supplier<String> notReadyReason) throws IOException {
        Objects.requireNonNull(notReadyReason, "notReadyReason");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(live, "live");
        HttpServer http = HttpServer.create(address, 16);
        AdminServer admin = new AdminServer(http, status, ready);
        http.createContext("/api/v1/", admin.safe(admin::api));
        http.createContext("/healthz", admin.safe(ex -> {
            if (live.getAsBoolean()) {
                admin.text(ex, 200, "ok\n");
            } else {
                admin.text(ex, 503, "not live: an event loop did not answer\n");
            }
        }));
        http.createContext("/readyz", admin.safe(ex -> {
            if (admin.ready.getAsBoolean()) {
                admin.text(ex, 200, "ready\n");
            } else {
                admin.text(ex, 503, "not ready: " + notReadyReason.get() + "\n");
            }
        }));
        http.start();
        return admin;
    }

    /** Adds an endpoint, e.g. {@code /metrics} for a Prometheus registry. */
    public void addHandler(String path, HttpHandler handler) {
        server.createContext(path, safe(handler));
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void api(HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
            error(ex, 405, "only GET is supported");
            return;
        }
        URI uri = ex.getRequestURI();
        String resource = uri.getPath().substring("/api/v1/".length());
        while (resource.endsWith("/")) {
            resource = resource.substring(0, resource.length() - 1);
        }
        Map<String, String> query = query(uri.getRawQuery());
        if ("diagnostics".equals(resource)) {
            json(ex, 200, diagnosticsJson(status.diagnostics(), status.servedVersion()));
            return;
        }
        Optional<ResourceKind> kind = StatusView.kind(resource);
        if (kind.isEmpty() || resource.contains("/")) {
            error(ex, 404, "unknown resource '" + resource + "'; try " + String.join(", ",
                    StatusView.KINDS.stream().map(ResourceKind::plural).toList()) + ", diagnostics");
            return;
        }
        String ns = query.get("namespace");
        List<HasMetadata> items = status.list(kind.get().kind(), ns == null || ns.isEmpty() ? null : ns);
        ObjectNode list = mapper.createObjectNode();
        // Field order as kubectl prints a List: apiVersion, items, kind, metadata.
        list.put("apiVersion", "v1");
        ArrayNode arr = list.putArray("items");
        for (HasMetadata item : items) {
            arr.add(mapper.valueToTree(item));
        }
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", Long.toString(status.servedVersion()));
        json(ex, 200, list);
    }

    /** The diagnostics document served at /api/v1/diagnostics. */
    static ObjectNode diagnosticsJson(List<Diagnostic> diagnostics, long servedVersion) {
        ObjectMapper m = KubeJson.mapper();
        ObjectNode root = m.createObjectNode();
        root.put("servedVersion", servedVersion);
        ArrayNode arr = root.putArray("diagnostics");
        for (Diagnostic d : diagnostics) {
            ObjectNode o = arr.addObject();
            o.put("severity", d.severity().name());
            ObjectNode r = o.putObject("resource");
            r.put("kind", d.resource().kind());
            r.put("namespace", d.resource().namespace());
            r.put("name", d.resource().name());
            o.put("field", d.field());
            o.put("message", d.message());
            if (d.location() != null) {
                o.put("file", d.location().file());
                o.put("line", d.location().line());
            }
            o.put("text", d.toString());
        }
        return root;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private HttpHandler safe(HttpHandler h) {
        return ex -> {
            try (ex) {
                h.handle(ex);
            } catch (IOException | RuntimeException e) {
                LOG.warn("admin {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
                try {
                    error(ex, 500, e.toString());
                } catch (IOException | RuntimeException ignored) {
                    // response already started
                }
            }
        };
    }

    private void json(HttpExchange ex, int code, JsonNode body) throws IOException {
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        send(ex, code, "application/json", bytes);
    }

    private void error(HttpExchange ex, int code, String message) throws IOException {
        ObjectNode o = mapper.createObjectNode();
        o.put("error", message);
        json(ex, code, o);
    }

    private void text(HttpExchange ex, int code, String body) throws IOException {
        send(ex, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
