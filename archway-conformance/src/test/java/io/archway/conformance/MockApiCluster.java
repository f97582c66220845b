package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.provision.GatewayProvisioner;
import io.archway.provision.ProvisionerConfig;
import io.archway.server.KubernetesMode;
import io.archway.server.ServerConfig;
import io.archway.source.LoadedFile;
import io.archway.source.SourcedObject;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes mode: fabric8's mock API server in CRUD mode (the Gateway API kinds registered as
 * custom resources with a status subresource, as their CRDs declare), and the embedded server run
 * as {@code archway serve --kubernetes --provisioner-config} runs: informers, the Lease, the
 * leader's status writer and the data-plane provisioner as a leader task.
 *
 * <p>Objects are created as the API server stores them after admission: each group goes through
 * the product's {@link ManifestLoader} (the CRDs' defaulting, schema and CEL rules; every Gateway
 * API version converted to the served v1), and the mock sets uid, generation (bumped on a spec
 * change), resourceVersion and creationTimestamp. An object the CRDs refuse fails the step, as
 * the API server's refusal fails upstream's Applier. Status is read back from the server's objects,
 * which only the leader's status writer fills.
 *
 * <p>The mock stands in for the rest of the cluster as little as the product needs: the load
 * balancer controller ({@link LoopbackLoadBalancer}) and an externalIPs admission policy (a
 * Service may only ask for external IPs the cluster routes, loopback here, as
 * kubernetes-sigs/externalip-webhook's allowed CIDRs do). There is no kubelet (the provisioned
 * Deployments get no pods; the embedded data plane serves the Gateways), no garbage collector
 * (the provisioner deletes what it created), and no admission webhooks of the product.
 */
final class MockApiCluster implements Cluster {
    /** The Lease the controller replicas elect a leader with. */
    static final String LEASE = "archway-conformance-controller";
    /** The unusable static address: TEST-NET-1 (RFC 5737), outside every pool and refused as an external IP. */
    static final String UNUSABLE_ADDRESS = "192.0.2.10";
    /** The mock logs every request at INFO (java.util.logging): thousands a minute under status polls. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private static final Pattern SERVICE_WRITE = Pattern.compile("/api/v1/namespaces/[^/]+/services(/[^/]+)?");

    private final TranslatorOptions options = new TranslatorOptions(Manifests.CONTROLLER,
            new GatewayAddressing.ProvisionedServices(new GatewayAddressing.LoopbackPerGateway()), false);
    private final KubernetesMockServer api;
    private final KubernetesClient kube;
    private final LoopbackLoadBalancer loadBalancer;
    private final ManifestLoader loader = new ManifestLoader();
    private final Duration timeout;
    /** Each group's objects as last applied, by key. */
    private final Map<String, Map<ResourceKey, HasMetadata>> groups = new LinkedHashMap<>();
    private Set<Fault> faults = Set.of();
    private GatewayProcess gateway;
    private GatewayProvisioner provisioner;

    MockApiCluster(Duration timeout) {
        this.timeout = timeout;
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        List<CustomResourceDefinitionContext> crds = ResourceKind.all().stream()
                .filter(k -> k.group().equals(ResourceKind.GATEWAY_GROUP))
                .map(k -> new CustomResourceDefinitionContext.Builder().withGroup(k.group())
                        .withVersion(k.preferredVersion()).withPlural(k.plural()).withKind(k.kind())
                        .withScope(k.clusterScoped() ? "Cluster" : "Namespaced").withStatusSubresource(true).build())
                .toList();
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(crds);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String refused = refusedExternalIps(request);
                return refused != null ? new MockResponse().setResponseCode(422).setBody(refused) : crud.dispatch(request);
            }
        };
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = api.createClient();
        loadBalancer = new LoopbackLoadBalancer(kube, Manifests.CONTROLLER);
        loadBalancer.start();
    }

    /**
     * The externalIPs policy: a Service create or update asking for an external IP outside
     * 127.0.0.0/8 is refused (422), as an admission policy restricting externalIPs to the
     * cluster's routed CIDRs refuses it; the message names the address.
     */
    static String refusedExternalIps(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath().split("\\?")[0];
        if (!(method.equals("POST") || method.equals("PUT")) || !SERVICE_WRITE.matcher(path).matches()) {
            return null;
        }
        JsonNode body;
        try {
            // getBytes, not getUtf8Body: reading would consume the body the CRUD dispatcher needs
            body = Json.parse(new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
        for (JsonNode ip : body.path("spec").path("externalIPs")) {
            if (!ip.asText().startsWith("127.")) {
                return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Invalid\",\"code\":422,"
                        + "\"message\":\"Service " + body.path("metadata").path("name").asText()
                        + ": spec.externalIPs: " + ip.asText() + " is not in the allowed CIDRs [127.0.0.0/8]\"}";
            }
        }
        return null;
    }

    @Override
    public String mode() {
        return "kubernetes";
    }

    KubernetesClient client() {
        return kube;
    }

    @Override
    public void apply(Map<String, List<ObjectNode>> groups) throws IOException {
        for (Map.Entry<String, List<ObjectNode>> g : groups.entrySet()) {
            applyGroup(g.getKey(), g.getValue());
        }
    }

    private void applyGroup(String group, List<ObjectNode> docs) {
        Map<ResourceKey, HasMetadata> wanted = admitted(group, docs);
        Map<ResourceKey, HasMetadata> before = groups.getOrDefault(group, Map.of());
        for (Map.Entry<ResourceKey, HasMetadata> e : before.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                kube.resource(e.getValue()).delete();
            }
        }
        for (Map.Entry<ResourceKey, HasMetadata> e : wanted.entrySet()) {
            HasMetadata old = before.get(e.getKey());
            if (old == null) {
                createOrReplace(e.getValue());
            } else if (!Json.JSON.valueToTree(old).equals(Json.JSON.valueToTree(e.getValue()))) {
                update(e.getValue());
            }
        }
        groups.put(group, wanted);
    }

    /** The documents as the API server admits them (defaulted, v1), by key; a refusal fails the step. */
    private Map<ResourceKey, HasMetadata> admitted(String group, List<ObjectNode> docs) {
        LoadedFile loaded = loader.parse(group + ".yaml", Json.writeYamlDocuments(docs));
        if (!loaded.errors().isEmpty()) {
            throw new IllegalStateException("the API server would refuse objects of " + group + ": " + loaded.errors());
        }
        Map<ResourceKey, HasMetadata> out = new LinkedHashMap<>();
        for (SourcedObject o : loaded.objects()) {
            out.put(o.key(), o.object());
        }
        return out;
    }

    /** Creates {@code object}; one left over by an earlier group of the same name is replaced. */
    private void createOrReplace(HasMetadata object) {
        try {
            kube.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            update(object);
        }
    }

    /**
     * Updates the object's spec and metadata as a client's PUT does (the server keeps uid,
     * creationTimestamp and the status, and bumps generation when the spec changed); a 409 from a
     * concurrent status write is retried on a fresh read.
     */
    private void update(HasMetadata object) {
        for (int attempt = 1; ; attempt++) {
            HasMetadata live = kube.resource(object).get();
            if (live == null) {
                kube.resource(object).create();
                return;
            }
            HasMetadata copy = Json.JSON.convertValue(Json.JSON.valueToTree(object), object.getClass());
            copy.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
            copy.getMetadata().setUid(live.getMetadata().getUid());
            copy.getMetadata().setCreationTimestamp(live.getMetadata().getCreationTimestamp());
            copy.getMetadata().setGeneration(live.getMetadata().getGeneration());
            JsonNode status = Json.JSON.valueToTree(live).path("status");
            ObjectNode json = Json.JSON.valueToTree(copy);
            if (!status.isMissingNode()) {
                json.set("status", status);
            }
            try {
                kube.resource(Json.JSON.convertValue(json, object.getClass())).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void delete(java.util.Collection<String> names) throws IOException {
        Map<ResourceKey, HasMetadata> objects = new LinkedHashMap<>();
        for (String group : names) {
            Map<ResourceKey, HasMetadata> g = groups.remove(group);
            if (g != null) {
                objects.putAll(g);
            }
        }
        for (HasMetadata o : objects.values()) {
            kube.resource(o).delete();
        }
        if (gateway == null || objects.isEmpty()) {
            return;
        }
        // The informers deliver the deletes to the store; then one synchronous rebuild serves them.
        long deadline = System.nanoTime() + timeout.toNanos();
        while (objects.keySet().stream().anyMatch(k -> gateway.store().get(k).isPresent())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server still holds " + objects.keySet().stream()
                        .filter(k -> gateway.store().get(k).isPresent()).toList() + " " + timeout.toMillis()
                        + " ms after their deletion");
            }
            Pause.sleep(20);
        }
        gateway.reloadNow();
    }

    @Override
    public GatewayProcess start(Environment.Settings settings, Set<Fault> faults) throws Exception {
        this.faults = faults;
        provisioner = new GatewayProvisioner(kube, ProvisionerConfig.defaults(Manifests.CONTROLLER, "archway:conformance"),
                Duration.ofMinutes(1));
        KubernetesMode mode = new KubernetesMode(kube, Set.of(), "default", LEASE, "conformance-controller",
                KubernetesMode.DEFAULT_LEASE_DURATION)
                .withLeaderTask(new KubernetesMode.LeaderTask("provisioner", provisioner::start, provisioner::close));
        ServerConfig config = new ServerConfig(Path.of("."), options, settings.portOffset(),
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20), false).withKubernetes(mode);
        gateway = GatewayProcess.start(config, faults);
        return gateway;
    }

    @Override
    public TranslatorOptions translatorOptions() {
        return options;
    }

    /** Every kind the translator reads, listed from the server once, as {@code archway explain --kubernetes} does. */
    @Override
    public ResourceView explainView() {
        return io.archway.source.kube.ClusterListing.listOnce(kube, w -> {
            throw new IllegalStateException("the mock API server serves every kind: " + w);
        });
    }

    /**
     * Usable: the address the load balancer gives this Gateway (where the embedded data plane
     * serves it); unusable: {@link #UNUSABLE_ADDRESS}, which no pool holds.
     */
    @Override
    public NetworkAddresses networkAddresses(StatusAssertions.NN gateway) {
        ResourceKey key = new ResourceKey(ResourceKind.GATEWAY.kind(), gateway.namespace(), gateway.name());
        return new NetworkAddresses(loadBalancer.servingAddress(key, Set.of()), UNUSABLE_ADDRESS);
    }

    @Override
    public List<JsonNode> list(String kind, String namespace) {
        ResourceKind k = ResourceKind.byKind(kind).orElseThrow(() -> new IllegalArgumentException("unknown kind " + kind));
        List<? extends HasMetadata> items = k.clusterScoped() ? kube.resources(k.modelClass()).list().getItems()
                : namespace == null ? kube.resources(k.modelClass()).inAnyNamespace().list().getItems()
                : kube.resources(k.modelClass()).inNamespace(namespace).list().getItems();
        List<JsonNode> out = new ArrayList<>();
        for (HasMetadata r : items) {
            JsonNode json = Json.JSON.valueToTree(r);
            faults.forEach(f -> f.distortStatus(kind, json));
            out.add(json);
        }
        return out;
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        if (provisioner != null) {
            provisioner.close();
        }
        loadBalancer.close();
        kube.close();
        api.destroy();
    }
}
