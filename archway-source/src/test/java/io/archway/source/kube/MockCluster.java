package io.archway.source.kube;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's mock API server in CRUD mode with the Gateway API kinds registered as custom resources
 * with a status subresource (as their CRDs declare), restartable on the same port with the same
 * objects (the dispatcher keeps them).
 */
final class MockCluster implements AutoCloseable {
    private final KubernetesCrudDispatcher crud;
    private final Dispatcher dispatcher;
    /** Status subresource writes the server answered 2xx, by path. */
    private final List<String> statusWrites = new CopyOnWriteArrayList<>();
    /** path suffix -> the code to answer once instead of serving the request. */
    private final Map<String, Integer> failOnce = new ConcurrentHashMap<>();
    /** plural -> the code every request for that resource is answered with, until {@link #serve}. */
    private final Map<String, Integer> refused = new ConcurrentHashMap<>();
    private KubernetesMockServer server;
    private int port;

    MockCluster() {
        List<CustomResourceDefinitionContext> crds = ResourceKind.all().stream()
                .filter(k -> k.group().equals(ResourceKind.GATEWAY_GROUP))
                .map(k -> new CustomResourceDefinitionContext.Builder().withGroup(k.group())
                        .withVersion(k.preferredVersion()).withPlural(k.plural()).withKind(k.kind())
                        .withScope(k.clusterScoped() ? "Cluster" : "Namespaced").withStatusSubresource(true).build())
                .toList();
        crud = new KubernetesCrudDispatcher(crds);
        dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath().split("\\?")[0];
                for (Map.Entry<String, Integer> e : refused.entrySet()) {
                    if (path.endsWith("/" + e.getKey()) || path.contains("/" + e.getKey() + "/")) {
                        return status(e.getValue(), e.getValue() == 404 ? "NotFound" : "Forbidden",
                                e.getKey() + " refused by the test (" + e.getValue() + ")");
                    }
                }
                boolean write = request.getMethod().equals("PUT") || request.getMethod().equals("PATCH");
                if (write) {
                    for (Map.Entry<String, Integer> e : failOnce.entrySet()) {
                        if (path.endsWith(e.getKey()) && failOnce.remove(e.getKey()) != null) {
                            return status(e.getValue(), "Conflict", "conflict");
                        }
                    }
                }
                MockResponse response = crud.dispatch(request);
                if (write && path.endsWith("/status") && response.code() / 100 == 2) {
                    statusWrites.add(path);
                }
                return response;
            }
        };
        start(0);
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"status\":\"Failure\",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\",\"code\":"
                + code + "}");
    }

    /**
     * Every request for {@code plural} (list, watch, get, create...) is answered {@code code}: 404 as
     * for a kind whose CRD is not installed, 403 as RBAC refusing it.
     */
    void refuse(String plural, int code) {
        refused.put(plural, code);
    }

    /** Serves {@code plural} again (the CRD is installed, the RBAC fixed). */
    void serve(String plural) {
        refused.remove(plural);
    }

    private void start(int onPort) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), onPort);
        port = server.getPort();
    }

    /** The status subresource writes served so far (paths). */
    List<String> statusWrites() {
        return List.copyOf(statusWrites);
    }

    /** The next PUT or PATCH to a path ending in {@code pathSuffix} is answered {@code code}. */
    void failNextWrite(String pathSuffix, int code) {
        failOnce.put(pathSuffix, code);
    }

    /** A new client of this server (the caller closes it). */
    NamespacedKubernetesClient client() {
        return server.createClient();
    }

    KubernetesMockServer server() {
        return server;
    }

    /** Stops the server: watches break, requests fail. */
    void stop() {
        server.destroy();
    }

    /** Starts again on the same port with the same objects. */
    void restart() {
        start(port);
    }

    @Override
    public void close() {
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // "Unable to close MockWebServer": the mock's WatchEventsListener blocks its event loop on
            // a closed watch until the events it still queued (it replays every object to a new
            // watch) are sent, up to a minute; on a loaded machine that outlasts the server's 10 s
            // shutdown. The server is being thrown away: nothing of the test depends on it.
            if (!String.valueOf(e.getMessage()).contains("Unable to close MockWebServer")) {
                throw e;
            }
        }
    }
}
