package io.archway.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Fetches statuses from a running Archway server's admin endpoint:
 * {@code GET {admin}/api/v1/{gateways|httproutes|grpcroutes}[?namespace=NS]}, each answering a
 * kubectl-style {@code List} ({@code {"kind": "List", "items": [...]}}; a bare JSON array is accepted
 * too). A 404 answers an empty list (a server without that endpoint, e.g. grpcroutes).
 */
public final class AdminStatusProvider implements StatusProvider {

    private final URI admin;
    private final HttpClient http;
    private final ObjectMapper json = Mappers.json();

    /** For an admin address as typed, e.g. {@code 127.0.0.1:9901}; see {@link AdminAddress}. */
    public static AdminStatusProvider forAdmin(String address) {
        return new AdminStatusProvider(AdminAddress.parse(address));
    }

    /** @param admin the admin base address, e.g. {@code http://127.0.0.1:9901} */
    public AdminStatusProvider(URI admin) {
        this(admin, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    public AdminStatusProvider(URI admin, HttpClient http) {
        this.admin = admin;
        this.http = http;
    }

    @Override
    public List<Gateway> gateways(String namespace) {
        return fetch(Gateway.class, namespace);
    }

    @Override
    public List<HTTPRoute> httpRoutes(String namespace) {
        return fetch(HTTPRoute.class, namespace);
    }

    @Override
    public List<GRPCRoute> grpcRoutes(String namespace) {
        return fetch(GRPCRoute.class, namespace);
    }

    @Override
    public List<? extends HasMetadata> routes(ResourceKind kind, String namespace) {
        return fetch(kind.modelClass(), namespace);
    }

    private <T extends HasMetadata> List<T> fetch(Class<T> type, String namespace) {
        String plural = ResourceKind.of(type).orElseThrow().plural();
        String base = admin.toString().replaceAll("/+$", "");
        String query = namespace == null ? "" : "?namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8);
        URI uri = URI.create(base + "/api/v1/" + plural + query);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return List.of();
            }
            if (response.statusCode() != 200) {
                throw new ArchwayClientException("GET " + uri + " answered " + response.statusCode());
            }
            JsonNode body = json.readTree(response.body());
            // The server answers a kubectl-style List ({"kind": "List", "items": [...]}); a bare array is accepted too.
            JsonNode items = body.isArray() ? body : body.path("items");
            if (!items.isArray()) {
                throw new ArchwayClientException("GET " + uri + " answered no list of items");
            }
            JavaType listType = json.getTypeFactory().constructCollectionType(List.class, type);
            return json.convertValue(items, listType);
        } catch (IOException e) {
            throw new ArchwayClientException("GET " + uri + " failed: " + Errors.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchwayClientException("interrupted while fetching " + uri, e);
        }
    }
}
