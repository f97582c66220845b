package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import io.archway.provision.GatewayProvisioner;
import io.archway.provision.ProvisionerConfig;
import io.archway.source.file.ManifestLoader;
import io.archway.source.SourcedObject;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code archway serve --kubernetes} end to end against the mock API server: serve, status, probes, shutdown. */
class ArchwayServerKubernetesTest {
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(ResourceKind.all().stream()
            .filter(k -> k.group().equals(ResourceKind.GATEWAY_GROUP))
            .map(k -> new CustomResourceDefinitionContext.Builder().withGroup(k.group())
                    .withVersion(k.preferredVersion()).withPlural(k.plural()).withKind(k.kind())
                    .withScope(k.clusterScoped() ? "Cluster" : "Namespaced").withStatusSubresource(true).build())
            .toList());
    /** Plurals whose every request the API server answers 403 (RBAC refusing them), while listed. */
    private final Set<String> forbidden = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    String path = request.getPath().split("\\?")[0];
                    for (String plural : forbidden) {
                        if (path.endsWith("/" + plural)) {
                            return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":"
                                    + "\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,\"message\":\""
                                    + plural + " is forbidden: User \\\"system:serviceaccount:archway:archway\\\" cannot list"
                                    + " resource \\\"" + plural + "\\\"\"}");
                        }
                    }
                    return crud.dispatch(request);
                }
            }, false);
    private final HttpClient http = HttpClient.newHttpClient();
    private KubernetesClient kube;

    @AfterEach
    void stop() {
        if (kube != null) {
            kube.close();
        }
        api.destroy();
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean conditionTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True"));
    }

    /** Starts the mock API server with our GatewayClass and the Gateway shop/gw (HTTP on 80). */
    private void startClusterWithOneGateway() {
        api.init(java.net.InetAddress.getLoopbackAddress(), 0);
        kube = api.createClient();
        for (SourcedObject o : new ManifestLoader().parse("m.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: archway}
                spec: {controllerName: archway.io/gateway-controller}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """).objects()) {
            kube.resource(o.object()).create();
        }
    }

    @Test
    void servesTheClusterWritesStatusAndAnswersProbes() throws Exception {
        startClusterWithOneGateway();
        int port = freePort();
        ServerConfig config = new ServerConfig(Path.of("."), new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), port - 80, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(20), true)
                .withKubernetes(new KubernetesMode(kube, Set.of(), "default", "archway-controller", "replica-1",
                        Duration.ofSeconds(3)))
                .withDrainTimeout(Duration.ofSeconds(1));
        ArchwayServer server = ArchwayServer.start(config);
        int admin = server.adminAddress().getPort();
        try {
            assertThat(get(admin, "/readyz").statusCode()).as("ready: the first snapshot is served").isEqualTo(200);
            assertThat(get(admin, "/healthz").statusCode()).as("live: every event loop answers").isEqualTo(200);
            assertThat(get(port, "/anything").statusCode()).as("the listener serves (no route yet)").isEqualTo(404);

            await(() -> {
                Gateway gw = kube.resources(Gateway.class).inNamespace("shop").withName("gw").get();
                return gw.getStatus() != null && conditionTrue(gw.getStatus().getConditions(), "Programmed");
            }, "the leader wrote the Gateway's status");

            kube.resource(new ManifestLoader().parse("r.yaml", """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: web, namespace: shop}
                    spec:
                      parentRefs: [{name: gw}]
                      rules: [{backendRefs: [{name: missing, port: 80}]}]
                    """).objects().get(0).object()).create();
            await(() -> {
                HTTPRoute r = kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get();
                return r.getStatus() != null && !r.getStatus().getParents().isEmpty()
                        && conditionTrue(r.getStatus().getParents().get(0).getConditions(), "Accepted");
            }, "a new route is served and its status written");
            await(() -> {
                try {
                    return get(port, "/anything").statusCode() == 500; // the backend Service does not exist
                } catch (Exception e) {
                    return false;
                }
            }, "the route is served");
            assertThat(server.statusWriter().orElseThrow().leading()).isTrue();
        } finally {
            server.close();
        }
        Lease lease = kube.leases().inNamespace("default").withName("archway-controller").get();
        // fabric8 releases as client-go does: the lease is cut to one second, so that the next
        // replica takes over at once rather than after the 3 s lease.
        assertThat(lease.getSpec().getLeaseDurationSeconds()).as("the lease is released on shutdown: "
                + lease.getSpec()).isLessThanOrEqualTo(1);
    }
    /**
     * The data-plane provisioner is a leader task: while another replica holds the Lease this one
     * serves but provisions nothing; once the Lease lapses it leads and the Gateway gets its data
     * plane. (Without the gating the Deployment would appear at once.)
     */
    @Test
    void provisionsOnlyWhileLeading() throws Exception {
        startClusterWithOneGateway();
        int port = freePort();
        // another replica leads for the next 4 seconds
        kube.resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder().withNewMetadata()
                .withName("archway-controller").withNamespace("default").endMetadata().withNewSpec()
                .withHolderIdentity("replica-0").withLeaseDurationSeconds(4)
                .withAcquireTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC))
                .withRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)).withLeaseTransitions(0)
                .endSpec().build()).create();
        long leaseEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        GatewayProvisioner provisioner = new GatewayProvisioner(kube,
                ProvisionerConfig.defaults(TranslatorOptions.DEFAULT_CONTROLLER_NAME, "archway:test"), Duration.ofMinutes(10));
        ServerConfig config = new ServerConfig(Path.of("."), new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), port - 80, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(20), true)
                .withKubernetes(new KubernetesMode(kube, Set.of(), "default", "archway-controller", "replica-1",
                        Duration.ofSeconds(3)).withLeaderTask(
                                new KubernetesMode.LeaderTask("provisioner", provisioner::start, provisioner::close)))
                .withDrainTimeout(Duration.ofSeconds(1));
        ArchwayServer server = ArchwayServer.start(config);
        try {
            assertThat(get(port, "/anything").statusCode()).as("a non-leader serves").isEqualTo(404);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(leaseEnds - System.nanoTime()) - 1000));
            assertThat(server.statusWriter().orElseThrow().leading()).as("replica-0 still leads").isFalse();
            assertThat(kube.apps().deployments().inNamespace("shop").list().getItems())
                    .as("a non-leader provisions nothing").isEmpty();
            assertThat(kube.services().inNamespace("shop").list().getItems()).isEmpty();

            await(() -> kube.apps().deployments().inNamespace("shop").withName("gw").get() != null,
                    "the new leader provisioned the Gateway's Deployment");
            assertThat(server.statusWriter().orElseThrow().leading()).isTrue();
        } finally {
            server.close();
        }
        // closed with the server: a Gateway created now gets nothing
        kube.resource(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: later, namespace: shop}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """).objects().get(0).object()).create();
        Thread.sleep(500);
        assertThat(kube.apps().deployments().inNamespace("shop").withName("later").get())
                .as("the provisioner stopped with the server").isNull();
    }
    private Gateway gateway(String namespace, String name) {
        return kube.resources(Gateway.class).inNamespace(namespace).withName(name).get();
    }

    private String programmed(Gateway gw) {
        return gw.getStatus() == null || gw.getStatus().getConditions() == null ? null : gw.getStatus().getConditions()
                .stream().filter(c -> c.getType().equals("Programmed")).map(c -> c.getStatus() + "/" + c.getReason())
                .findFirst().orElse(null);
    }

    private List<String> addresses(Gateway gw) {
        return gw.getStatus() == null || gw.getStatus().getAddresses() == null ? List.of()
                : gw.getStatus().getAddresses().stream().map(a -> a.getType() + "=" + a.getValue()).toList();
    }

    /**
     * With provisioning on, a Gateway's status.addresses on the cluster are its data-plane
     * Service's: none while the load balancer is pending (Programmed=False/AddressNotAssigned), the
     * ingress address once assigned, and a requested address the Service did not get is
     * Programmed=False/AddressNotUsable.
     */
    @Test
    void provisionedGatewaysReportTheirServicesAddresses() throws Exception {
        startClusterWithOneGateway();
        int port = freePort();
        GatewayProvisioner provisioner = new GatewayProvisioner(kube,
                ProvisionerConfig.defaults(TranslatorOptions.DEFAULT_CONTROLLER_NAME, "archway:test"), Duration.ofMinutes(10));
        ServerConfig config = new ServerConfig(Path.of("."), new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.ProvisionedServices("127.0.0.1"), true), port - 80,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20), true)
                .withKubernetes(new KubernetesMode(kube, Set.of(), "default", "archway-controller", "replica-1",
                        Duration.ofSeconds(3)).withLeaderTask(
                                new KubernetesMode.LeaderTask("provisioner", provisioner::start, provisioner::close)))
                .withDrainTimeout(Duration.ofSeconds(1));
        ArchwayServer server = ArchwayServer.start(config);
        try {
            await(() -> !kube.services().inNamespace("shop").list().getItems().isEmpty(), "the Service is provisioned");
            await(() -> "False/AddressNotAssigned".equals(programmed(gateway("shop", "gw")))
                            && gateway("shop", "gw").getStatus().getConditions().stream()
                                    .anyMatch(c -> c.getMessage().contains("has no address yet")),
                    "the Gateway waits for its load balancer: " + programmed(gateway("shop", "gw")));
            assertThat(addresses(gateway("shop", "gw"))).isEmpty();

            // the load balancer controller assigns an address
            Service service = kube.services().inNamespace("shop").list().getItems().get(0);
            service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                    .addNewIngress().withIp("203.0.113.7").endIngress().endLoadBalancer().build());
            kube.resource(service).updateStatus();
            await(() -> "True/Programmed".equals(programmed(gateway("shop", "gw")))
                    && addresses(gateway("shop", "gw")).equals(List.of("IPAddress=203.0.113.7")),
                    "the Gateway reports its Service's address");

            // a requested address the load balancer does not give is not usable
            kube.resources(Gateway.class).inNamespace("shop").withName("gw").edit(g -> {
                g.getSpec().setAddresses(List.of(new io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddressBuilder()
                        .withValue("198.51.100.9").build()));
                return g;
            });
            await(() -> "False/AddressNotUsable".equals(programmed(gateway("shop", "gw"))),
                    "an unassigned requested address is not usable");
            assertThat(addresses(gateway("shop", "gw"))).containsExactly("IPAddress=203.0.113.7");
            // The provisioner's informer sees the edit on its own: its Service update may come after the status.
            await(() -> "198.51.100.9".equals(kube.services().inNamespace("shop").list().getItems().get(0).getSpec()
                    .getLoadBalancerIP()), "the provisioner requested it");
        } finally {
            server.close();
        }
    }

    private ServerConfig kubernetesConfig(int port, int adminPort) {
        return new ServerConfig(Path.of("."), new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), port - 80, new InetSocketAddress("127.0.0.1", adminPort),
                Duration.ofMillis(20), true)
                .withKubernetes(new KubernetesMode(kube, Set.of(), "default", "archway-controller", "replica-1",
                        Duration.ofSeconds(3)))
                .withDrainTimeout(Duration.ofSeconds(1));
    }

    /**
     * An informer that cannot sync (here RBAC refuses Secrets) holds the first rebuild back, and
     * {@code /readyz} says which kind waits and why instead of a bare 503; once the list is allowed
     * the server starts.
     */
    @Test
    void notReadyWithTheReasonWhileAnInformerCannotSync() throws Exception {
        startClusterWithOneGateway();
        forbidden.add("secrets");
        int port = freePort();
        int admin = freePort();
        java.util.concurrent.CompletableFuture<ArchwayServer> starting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return ArchwayServer.start(kubernetesConfig(port, admin));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            await(() -> {
                try {
                    HttpResponse<String> r = get(admin, "/readyz");
                    return r.statusCode() == 503 && r.body().contains("waiting for the informers to sync: Secret (all"
                            + " namespaces): 403 Forbidden: secrets is forbidden");
                } catch (Exception e) {
                    return false;
                }
            }, "readyz names the informer that cannot sync and why");
            assertThat(starting).as("no snapshot from a partial view").isNotDone();

            forbidden.remove("secrets");
            ArchwayServer server = starting.get(60, TimeUnit.SECONDS);
            try {
                assertThat(get(admin, "/readyz").statusCode()).isEqualTo(200);
                assertThat(get(port, "/anything").statusCode()).isEqualTo(404);
            } finally {
                server.close();
            }
        } finally {
            forbidden.clear();
            starting.thenAccept(ArchwayServer::close);
        }
    }

    /**
     * Losing the Lease (another replica took it) stops status writes and nothing else: requests
     * sent throughout are all answered, and a route created afterwards is served, unwritten.
     */
    @Test
    void losingTheLeaseStopsStatusWritesButNeverTraffic() throws Exception {
        startClusterWithOneGateway();
        int port = freePort();
        ArchwayServer server = ArchwayServer.start(kubernetesConfig(port, 0));
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (loading.get()) {
                try {
                    int code = get(port, "/anything").statusCode();
                    if (code == 404 || code == 500) {
                        answered.incrementAndGet();
                    } else {
                        failures.add("status " + code);
                    }
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }, "load");
        try {
            await(() -> server.statusWriter().orElseThrow().leading(), "replica-1 leads");
            await(() -> conditionTrue(gateway("shop", "gw").getStatus() == null ? null
                    : gateway("shop", "gw").getStatus().getConditions(), "Programmed"), "the leader wrote status");
            load.start();
            await(() -> answered.get() > 10, "traffic flows");

            // replica-0 takes the Lease over (as after a network partition of replica-1)
            kube.leases().inNamespace("default").withName("archway-controller").edit(l -> {
                l.getSpec().setHolderIdentity("replica-0");
                l.getSpec().setLeaseDurationSeconds(60);
                l.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
                return l;
            });
            await(() -> !server.statusWriter().orElseThrow().leading(), "replica-1 lost the Lease");
            long writes = server.statusWriter().orElseThrow().writes();
            int before = answered.get();

            kube.resource(new ManifestLoader().parse("r.yaml", """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: web, namespace: shop}
                    spec:
                      parentRefs: [{name: gw}]
                      rules: [{backendRefs: [{name: missing, port: 80}]}]
                    """).objects().get(0).object()).create();
            await(() -> {
                try {
                    return get(port, "/anything").statusCode() == 500;
                } catch (Exception e) {
                    return false;
                }
            }, "the new route is served by the replica that lost the Lease");
            await(() -> answered.get() > before + 10, "traffic goes on");
            assertThat(server.statusWriter().orElseThrow().writes()).as("no status written without the Lease")
                    .isEqualTo(writes);
            HTTPRoute web = kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get();
            assertThat(web.getStatus() == null || web.getStatus().getParents() == null
                    || web.getStatus().getParents().isEmpty()).as("the route's status is left to the leader: "
                    + web.getStatus()).isTrue();
        } finally {
            loading.set(false);
            load.join(10_000);
            server.close();
        }
        assertThat(failures).as("every request was answered").isEmpty();
    }

    /**
     * A provisioned data-plane pod ({@code --gateway NS/NAME}) serves its Gateway and writes
     * nothing: no status writer, no Lease, the Gateway's status left to the controller.
     */
    @Test
    void aDataPlanePodServesItsGatewayAndWritesNothing() throws Exception {
        startClusterWithOneGateway();
        int port = freePort();
        ServerConfig config = kubernetesConfig(port, 0);
        ArchwayServer server = ArchwayServer.start(config.withKubernetes(config.kubernetes()
                .withGateway(new io.archway.translate.ResourceKey("Gateway", "shop", "gw"))));
        try {
            assertThat(get(port, "/anything").statusCode()).as("its Gateway's listener serves").isEqualTo(404);
            assertThat(server.statusWriter()).as("no status writer").isEmpty();
            Thread.sleep(1500); // longer than a status write takes the leader in the other tests
            assertThat(kube.leases().inNamespace("default").withName("archway-controller").get())
                    .as("no election").isNull();
            assertThat(gateway("shop", "gw").getStatus() == null
                    || gateway("shop", "gw").getStatus().getConditions() == null
                    || gateway("shop", "gw").getStatus().getConditions().isEmpty()).as("no status written").isTrue();
        } finally {
            server.close();
        }
    }
}
