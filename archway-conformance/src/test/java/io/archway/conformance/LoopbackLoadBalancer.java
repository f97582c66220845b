package io.archway.conformance;

import io.archway.kinds.ResourceKind;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.bind.ServiceAddresses;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mock cluster's load balancer controller (a cloud's, or MetalLB's, on a real cluster): it
 * gives each LoadBalancer Service the provisioner created for a Gateway an address in
 * {@code status.loadBalancer.ingress}. The mock has no pods and no network: the embedded server's
 * own data plane stands in for the Gateway's pods, serving each Gateway on a loopback address of
 * its own ({@link GatewayAddressing.LoopbackPerGateway} over the Gateways of our class, the
 * translator's rule), so that address is the one this load balancer can route to the Gateway and
 * the one it assigns. A Service requesting another address ({@code spec.loadBalancerIP}, from a
 * Gateway's {@code spec.addresses}) stays pending, as a load balancer leaves an address outside
 * its pool unassigned; the Gateway is then Programmed=False/AddressNotUsable.
 */
final class LoopbackLoadBalancer implements AutoCloseable {
    private final KubernetesClient kube;
    private final String controller;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conformance-load-balancer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    LoopbackLoadBalancer(KubernetesClient kube, String controller) {
        this.kube = kube;
        this.controller = controller;
    }

    /** Watches Services, Gateways and GatewayClasses; every change re-checks every provisioned Service. */
    void start() {
        informers.add(kube.services().inAnyNamespace().inform(handler()));
        informers.add(kube.resources(Gateway.class).inAnyNamespace().inform(handler()));
        informers.add(kube.resources(GatewayClass.class).inform(handler()));
    }

    private <T> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                schedule();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                schedule();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                schedule();
            }
        };
    }

    private void schedule() {
        if (queued.compareAndSet(false, true) && !worker.isShutdown()) {
            worker.execute(() -> {
                queued.set(false);
                try {
                    reconcile();
                } catch (KubernetesClientException e) {
                    schedule(); // a 409 against the provisioner's write: read again
                } catch (IllegalStateException e) {
                    if (!worker.isShutdown()) {
                        throw e;
                    }
                    // closed while reconciling: the client is gone with the cluster
                }
            });
        }
    }

    /**
     * The loopback address the embedded data plane serves {@code gateway} on, with {@code extra}
     * counted among the Gateways of our class (one about to be created).
     */
    String servingAddress(ResourceKey gateway, Set<ResourceKey> extra) {
        Set<ResourceKey> keys = new TreeSet<>(ourGateways());
        keys.addAll(extra);
        keys.add(gateway);
        return new GatewayAddressing.LoopbackPerGateway().addressFor(List.copyOf(keys), gateway);
    }

    /** The Gateways the translator takes as ours: of a GatewayClass with our controllerName. */
    private Set<ResourceKey> ourGateways() {
        Set<String> classes = new TreeSet<>();
        for (GatewayClass c : kube.resources(GatewayClass.class).list().getItems()) {
            if (c.getSpec() != null && controller.equals(c.getSpec().getControllerName())) {
                classes.add(c.getMetadata().getName());
            }
        }
        Set<ResourceKey> keys = new TreeSet<>();
        for (Gateway g : kube.resources(Gateway.class).inAnyNamespace().list().getItems()) {
            if (g.getSpec() != null && classes.contains(g.getSpec().getGatewayClassName())) {
                keys.add(new ResourceKey(ResourceKind.GATEWAY.kind(), g.getMetadata().getNamespace(),
                        g.getMetadata().getName()));
            }
        }
        return keys;
    }

    private void reconcile() {
        Set<ResourceKey> gateways = ourGateways();
        List<ResourceKey> sorted = List.copyOf(gateways);
        for (Service service : kube.services().inAnyNamespace().list().getItems()) {
            Map<String, String> annotations = service.getMetadata().getAnnotations();
            String ref = annotations == null ? null : annotations.get(ServiceAddresses.GATEWAY_ANNOTATION);
            if (ref == null || service.getSpec() == null || !"LoadBalancer".equals(service.getSpec().getType())) {
                continue;
            }
            ResourceKey gateway = new ResourceKey(ResourceKind.GATEWAY.kind(), ref.substring(0, ref.indexOf('/')),
                    ref.substring(ref.indexOf('/') + 1));
            List<LoadBalancerIngress> ingress = new ArrayList<>();
            if (gateways.contains(gateway)) {
                String serving = new GatewayAddressing.LoopbackPerGateway().addressFor(sorted, gateway);
                String requested = service.getSpec().getLoadBalancerIP();
                if (requested == null || requested.isEmpty() || requested.equals(serving)) {
                    ingress.add(new LoadBalancerIngressBuilder().withIp(serving).build());
                }
            }
            List<LoadBalancerIngress> current = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                    || service.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                    : service.getStatus().getLoadBalancer().getIngress();
            if (!Objects.equals(current, ingress)) {
                LoadBalancerStatus lb = new LoadBalancerStatus();
                lb.setIngress(ingress);
                service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatus(List.of(), lb));
                kube.services().inNamespace(service.getMetadata().getNamespace()).resource(service).updateStatus();
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        informers.forEach(SharedIndexInformer::close);
    }
}
