package io.archway.provision;

import io.archway.provision.ListenerPorts.ListenerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions each Gateway's data plane ({@link DataPlaneResources}) and keeps it so: a Gateway of
 * our class gets its Deployment, Service, ServiceAccount and ClusterRoleBinding; a change to the
 * Gateway (listeners, infrastructure, addresses) or to its ListenerSets updates them; a Gateway
 * deleted or moved to another class loses them. On a cluster the Gateway's ownerReferences delete
 * the namespaced objects too; the provisioner deletes them itself as well, which a GatewayClass
 * change and the mock API server (no garbage collector) need.
 *
 * <p>An object of the same name that another owner controls is left alone (logged): we never take
 * over a user's Deployment. Writes are compare-and-update: the desired object's hash is compared
 * with the one last written ({@link DataPlaneNames#DESIRED_HASH_ANNOTATION}), an update is a PUT
 * carrying the read resourceVersion (a concurrent change gives 409 and the Gateway is reconciled
 * again), and it keeps the fields others own: a Deployment's replicas, a Service's cluster IPs and
 * node ports.
 *
 * <p>{@link #reconcile(String, String)} and {@link #reconcileAll()} do the work synchronously
 * (tests call them); {@link #start()} runs them from informers on one worker thread, with a full
 * pass every {@code resync}. Run it on the elected leader only (two would agree, but write twice):
 * {@code serve} makes it a {@code KubernetesMode.LeaderTask}, {@link #start()} on winning the Lease,
 * {@link #close()} on losing it (it can start again).
 */
public final class GatewayProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayProvisioner.class);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final ProvisionerConfig config;
    private final DataPlaneResources resources;
    private final Duration resync;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final Set<String> queued = new LinkedHashSet<>();
    private volatile ScheduledExecutorService worker;
    // once started, reconciles read GatewayClasses and ListenerSets from these caches, not the API server
    private volatile SharedIndexInformer<GatewayClass> classInformer;
    private volatile SharedIndexInformer<ListenerSet> listenerSetInformer;

    public GatewayProvisioner(KubernetesClient client, ProvisionerConfig config, Duration resync) {
        this.client = client;
        this.config = config;
        this.resources = new DataPlaneResources(config);
        this.resync = resync;
    }

    /**
     * Brings one Gateway's data plane to what it should be: created or updated when the Gateway
     * exists and is of our class, deleted otherwise.
     */
    public void reconcile(String namespace, String name) {
        final Gateway gateway = client.resources(Gateway.class).inNamespace(namespace).withName(name).get();
        if (gateway == null || gateway.getSpec() == null || !ours(gateway) || gateway.getMetadata().getDeletionTimestamp() != null) {
            remove(namespace, name);
            return;
        }
        final List<ListenerPort> ports = ListenerPorts.of(gateway, listenerSets(), this::namespaceLabels);
        apply(resources.serviceAccount(gateway), ServiceAccount.class, gateway, (desired, existing) -> { });
        apply(resources.clusterRoleBinding(gateway), ClusterRoleBinding.class, gateway, (desired, existing) -> {
            existing.setRoleRef(desired.getRoleRef());
            existing.setSubjects(desired.getSubjects());
        });
        apply(resources.service(gateway, ports), Service.class, gateway, GatewayProvisioner::updateService);
        apply(resources.deployment(gateway, ports), Deployment.class, gateway, (desired, existing) -> {
            existing.getSpec().setSelector(desired.getSpec().getSelector());
            existing.getSpec().setTemplate(desired.getSpec().getTemplate());
        });
    }

    /** Reconciles every Gateway in the watched namespaces and every object we provisioned (orphans go). */
    public void reconcileAll() {
        final Set<String> keys = new TreeSet<>();
        for (Gateway gateway : gateways()) {
            keys.add(DataPlaneNames.gatewayRef(gateway.getMetadata().getNamespace(), gateway.getMetadata().getName()));
        }
        final List<HasMetadata> provisioned = new ArrayList<>();
        for (String namespace : namespaces()) {
            provisioned.addAll(namespace == null
                    ? client.apps().deployments().inAnyNamespace().withLabels(managedLabels()).list().getItems()
                    : client.apps().deployments().inNamespace(namespace).withLabels(managedLabels()).list().getItems());
            provisioned.addAll(namespace == null
                    ? client.services().inAnyNamespace().withLabels(managedLabels()).list().getItems()
                    : client.services().inNamespace(namespace).withLabels(managedLabels()).list().getItems());
        }
        provisioned.addAll(client.rbac().clusterRoleBindings().withLabels(managedLabels()).list().getItems());
        for (HasMetadata object : provisioned) {
            final String ref = object.getMetadata().getAnnotations() == null ? null
                    : object.getMetadata().getAnnotations().get(DataPlaneNames.GATEWAY_ANNOTATION);
            if (ref != null && ref.contains("/") && watched(ref.substring(0, ref.indexOf('/')))) {
                keys.add(ref);
            }
        }
        for (String key : keys) {
            final int slash = key.indexOf('/');
            reconcile(key.substring(0, slash), key.substring(slash + 1));
        }
    }

    private static Map<String, String> managedLabels() {
        return Map.of(DataPlaneNames.MANAGED_BY_LABEL, DataPlaneNames.MANAGED_BY,
                DataPlaneNames.COMPONENT_LABEL, DataPlaneNames.COMPONENT);
    }

    private boolean ours(Gateway gateway) {
        final String className = gateway.getSpec().getGatewayClassName();
        final SharedIndexInformer<GatewayClass> classes = classInformer;
        final GatewayClass gatewayClass = classes != null && classes.hasSynced() ? classes.getStore().getByKey(className)
                : client.resources(GatewayClass.class).withName(className).get();
        return gatewayClass != null && gatewayClass.getSpec() != null
                && config.controllerName().equals(gatewayClass.getSpec().getControllerName())
                && watched(gateway.getMetadata().getNamespace());
    }

    private boolean watched(String namespace) {
        return config.watchedNamespaces().isEmpty() || config.watchedNamespaces().contains(namespace);
    }

    /** The watched namespaces; a single null for all. */
    private List<String> namespaces() {
        return config.watchedNamespaces().isEmpty() ? java.util.Collections.singletonList(null) : config.watchedNamespaces();
    }

    private List<Gateway> gateways() {
        final List<Gateway> out = new ArrayList<>();
        for (String namespace : namespaces()) {
            out.addAll(namespace == null ? client.resources(Gateway.class).inAnyNamespace().list().getItems()
                    : client.resources(Gateway.class).inNamespace(namespace).list().getItems());
        }
        return out;
    }

    /** The cluster's ListenerSets: from the informer's cache once started, else read. */
    private List<ListenerSet> listenerSets() {
        final SharedIndexInformer<ListenerSet> sets = listenerSetInformer;
        if (sets != null && sets.hasSynced()) {
            return sets.getStore().list();
        }
        try {
            return client.resources(ListenerSet.class).inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of(); // the standard-channel CRDs before v1.5 have no ListenerSet
            }
            throw e;
        }
    }

    private Map<String, String> namespaceLabels(String namespace) {
        final Namespace ns = client.namespaces().withName(namespace).get();
        return ns == null ? null : ns.getMetadata().getLabels();
    }

    /**
     * Creates {@code desired}, or updates the existing object when its hash differs and the
     * Gateway controls it; {@code copySpec} copies what we own from desired onto the existing object.
     */
    private <T extends HasMetadata> void apply(T desired, Class<T> type, Gateway gateway, BiConsumer<T, T> copySpec) {
        final String namespace = desired.getMetadata().getNamespace();
        final T existing = namespace == null
                ? client.resources(type).withName(desired.getMetadata().getName()).get()
                : client.resources(type).inNamespace(namespace).withName(desired.getMetadata().getName()).get();
        if (existing == null) {
            client.resource(desired).create();
            LOG.info("provisioned {} {} for Gateway {}/{}", desired.getKind(), desired.getMetadata().getName(),
                    gateway.getMetadata().getNamespace(), gateway.getMetadata().getName());
            return;
        }
        if (!controlledBy(existing, gateway.getMetadata().getNamespace(), gateway.getMetadata().getName())) {
            LOG.warn("{} {} exists and is not controlled by Gateway {}/{}: left alone, the Gateway has no data plane",
                    existing.getKind(), existing.getMetadata().getName(), gateway.getMetadata().getNamespace(),
                    gateway.getMetadata().getName());
            return;
        }
        final String hash = desired.getMetadata().getAnnotations().get(DataPlaneNames.DESIRED_HASH_ANNOTATION);
        if (existing.getMetadata().getAnnotations() != null
                && hash.equals(existing.getMetadata().getAnnotations().get(DataPlaneNames.DESIRED_HASH_ANNOTATION))
                && Objects.equals(existing.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences())) {
            return; // what we decide is unchanged: no write
        }
        existing.getMetadata().setLabels(desired.getMetadata().getLabels());
        existing.getMetadata().setAnnotations(desired.getMetadata().getAnnotations());
        existing.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
        copySpec.accept(desired, existing);
        client.resource(existing).update();
        LOG.info("updated {} {} for Gateway {}/{}", desired.getKind(), desired.getMetadata().getName(),
                gateway.getMetadata().getNamespace(), gateway.getMetadata().getName());
    }

    /** The Service's ports, selector, type and requested addresses; its cluster IPs and allocated node ports stay. */
    private static void updateService(Service desired, Service existing) {
        final List<ServicePort> ports = new ArrayList<>();
        for (ServicePort port : desired.getSpec().getPorts()) {
            if ("LoadBalancer".equals(desired.getSpec().getType()) || "NodePort".equals(desired.getSpec().getType())) {
                existing.getSpec().getPorts().stream()
                        .filter(p -> Objects.equals(p.getPort(), port.getPort()) && Objects.equals(p.getProtocol(), port.getProtocol()))
                        .findFirst().ifPresent(p -> port.setNodePort(p.getNodePort()));
            }
            ports.add(port);
        }
        existing.getSpec().setPorts(ports);
        existing.getSpec().setSelector(desired.getSpec().getSelector());
        existing.getSpec().setType(desired.getSpec().getType());
        existing.getSpec().setLoadBalancerIP(desired.getSpec().getLoadBalancerIP());
        existing.getSpec().setExternalIPs(desired.getSpec().getExternalIPs());
    }

    /**
     * Whether we provisioned {@code object} for the Gateway NAMESPACE/NAME: a namespaced object
     * by its controller ownerReference (a Gateway of that name: one deleted and created again
     * takes its objects over), a cluster-scoped one by its {@link DataPlaneNames#GATEWAY_ANNOTATION}.
     */
    static boolean controlledBy(HasMetadata object, String namespace, String name) {
        if (object.getMetadata().getNamespace() == null) {
            return object.getMetadata().getAnnotations() != null && DataPlaneNames.gatewayRef(namespace, name)
                    .equals(object.getMetadata().getAnnotations().get(DataPlaneNames.GATEWAY_ANNOTATION));
        }
        final List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController())
                && "Gateway".equals(o.getKind()) && o.getApiVersion() != null
                && o.getApiVersion().startsWith("gateway.networking.k8s.io/") && name.equals(o.getName()));
    }

    /** Deletes what we provisioned for a Gateway that is gone or no longer ours. */
    private void remove(String namespace, String name) {
        final String objectName = DataPlaneNames.objectName(name);
        delete(client.apps().deployments().inNamespace(namespace).withName(objectName).get(), namespace, name);
        delete(client.services().inNamespace(namespace).withName(objectName).get(), namespace, name);
        delete(client.serviceAccounts().inNamespace(namespace).withName(objectName).get(), namespace, name);
        delete(client.rbac().clusterRoleBindings().withName(DataPlaneNames.clusterRoleBindingName(namespace, name)).get(),
                namespace, name);
    }

    private void delete(HasMetadata object, String namespace, String name) {
        if (object != null && controlledBy(object, namespace, name)) {
            client.resource(object).delete();
            LOG.info("deleted {} {} of Gateway {}/{}", object.getKind(), object.getMetadata().getName(), namespace, name);
        }
    }

    /**
     * Starts informers on Gateways, GatewayClasses, ListenerSets and the Deployments and Services we
     * provisioned; each change reconciles the Gateways it concerns on the worker thread.
     */
    public synchronized void start() {
        if (worker != null) {
            return;
        }
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "archway-provisioner");
            t.setDaemon(true);
            return t;
        });
        final long resyncMillis = resync.toMillis();
        for (String namespace : namespaces()) {
            informers.add((namespace == null ? client.resources(Gateway.class).inAnyNamespace()
                    : client.resources(Gateway.class).inNamespace(namespace)).inform(handler(this::enqueue), resyncMillis));
            informers.add((namespace == null ? client.apps().deployments().inAnyNamespace()
                    : client.apps().deployments().inNamespace(namespace)).withLabels(managedLabels())
                    .inform(handler(this::enqueueOwner), 0));
            informers.add((namespace == null ? client.services().inAnyNamespace()
                    : client.services().inNamespace(namespace)).withLabels(managedLabels())
                    .inform(handler(this::enqueueOwner), 0));
        }
        classInformer = client.resources(GatewayClass.class).inform(handler(c -> enqueueAll()), 0);
        informers.add(classInformer);
        try {
            listenerSetInformer = client.resources(ListenerSet.class).inAnyNamespace().inform(handler(this::enqueueParent), 0);
            informers.add(listenerSetInformer);
        } catch (KubernetesClientException e) {
            LOG.warn("ListenerSets are not watched ({}): their ports reach a Gateway's Service at the next full pass",
                    e.getMessage());
        }
        worker.scheduleWithFixedDelay(this::enqueueAll, resyncMillis, resyncMillis, TimeUnit.MILLISECONDS);
        enqueueAll();
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(java.util.function.Consumer<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onChange.accept(obj);
            }
        };
    }

    private void enqueue(Gateway gateway) {
        enqueue(DataPlaneNames.gatewayRef(gateway.getMetadata().getNamespace(), gateway.getMetadata().getName()));
    }

    private void enqueueOwner(HasMetadata object) {
        final Map<String, String> annotations = object.getMetadata().getAnnotations();
        if (annotations != null && annotations.get(DataPlaneNames.GATEWAY_ANNOTATION) != null) {
            enqueue(annotations.get(DataPlaneNames.GATEWAY_ANNOTATION));
        }
    }

    private void enqueueParent(ListenerSet set) {
        final var parent = io.archway.translate.bind.ListenerValidator.parentGateway(set);
        if (parent != null) {
            enqueue(DataPlaneNames.gatewayRef(parent.namespace(), parent.name()));
        }
    }

    private void enqueue(String key) {
        final ScheduledExecutorService worker = this.worker;
        if (worker == null || worker.isShutdown()) {
            return; // closed: an informer event or a retry after close() does nothing
        }
        synchronized (queued) {
            if (!queued.add(key)) {
                return; // already waiting: one reconcile covers both changes
            }
        }
        worker.execute(() -> run(key));
    }

    private void enqueueAll() {
        final ScheduledExecutorService worker = this.worker;
        if (worker == null || worker.isShutdown()) {
            return;
        }
        worker.execute(() -> {
            try {
                reconcileAll();
            } catch (RuntimeException e) {
                if (worker.isShutdown()) {
                    return;
                }
                LOG.warn("full provisioning pass failed ({}); retrying in {}", e.getMessage(), RETRY);
                worker.schedule(this::enqueueAll, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void run(String key) {
        synchronized (queued) {
            queued.remove(key);
        }
        final int slash = key.indexOf('/');
        try {
            reconcile(key.substring(0, slash), key.substring(slash + 1));
        } catch (RuntimeException e) {
            final ScheduledExecutorService worker = this.worker;
            if (worker == null || worker.isShutdown()) {
                return; // closed while this reconcile was under way
            }
            // a 409 (someone wrote in between) or the API server away: read afresh and try again
            LOG.warn("provisioning Gateway {} failed ({}); retrying in {}", key, e.getMessage(), RETRY);
            worker.schedule(() -> enqueue(key), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        classInformer = null;
        listenerSetInformer = null;
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }
}
