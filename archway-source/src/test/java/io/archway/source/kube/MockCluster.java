package io.archway.source.kube;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * fabric8's mock API server in CRUD mode with the Gateway API kinds registered as custom resources
 * with a status subresource (as their CRDs declare), restartable on the same port with the same
 * objects (the dispatcher keeps them).
 */
final class MockCluster implements AutoCloseable {
    private final KubernetesCrudDispatcher dispatcher;
    private KubernetesMockServer server;
    private int port;

    MockCluster() {
        List<CustomResourceDefinitionContext> crds = ResourceKind.all().stream()
                .filter(k -> k.group().equals(ResourceKind.GATEWAY_GROUP))
                .map(k -> new CustomResourceDefinitionContext.Builder().withGroup(k.group())
                        .withVersion(k.preferredVersion()).withPlural(k.plural()).withKind(k.kind())
                        .withScope(k.clusterScoped() ? "Cluster" : "Namespaced").withStatusSubresource(true).build())
                .toList();
        dispatcher = new KubernetesCrudDispatcher(crds);
        start(0);
    }

    private void start(int onPort) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        try {
            server.init(InetAddress.getLoopbackAddress(), onPort);
        } catch (RuntimeException e) {
            throw e;
        }
        port = server.getPort();
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
        server.destroy();
    }
}
