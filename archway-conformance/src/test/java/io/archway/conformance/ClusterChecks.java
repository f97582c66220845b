package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Go code of the two tests only a cluster can run that the extraction does not carry (v1.6.1),
 * reproduced against the mock API server: what GatewayInfrastructure reads of the objects
 * provisioned for the Gateway, and GatewayStaticAddresses' final look at status.addresses.
 */
final class ClusterChecks {
    static final String INFRASTRUCTURE_TEST = "GatewayInfrastructure";
    static final String STATIC_ADDRESSES_TEST = "GatewayStaticAddresses";
    /** The spec's well-known label (apis/v1 GatewayNameLabelKey) the test lists generated objects by. */
    static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

    private ClusterChecks() {
    }

    /**
     * gateway-infrastructure.go lines 78-128: poll (DefaultPollInterval, up to DefaultTestTimeout)
     * ServiceAccounts, Pods and Services of the namespace labelled gateway-name=NAME until any
     * exists; then the first of each kind found must carry every spec.infrastructure label and
     * annotation of the Gateway.
     */
    static void infrastructure(Cluster cluster, StatusAssertions.NN gw, Duration timeout, Duration poll,
                               Consumer<String> passed, Consumer<String> failed, List<String> log) {
        if (!(cluster instanceof MockApiCluster mock)) {
            failed.accept("harness: " + INFRASTRUCTURE_TEST + " lists provisioned objects, which needs Kubernetes mode");
            return;
        }
        KubernetesClient kube = mock.client();
        JsonNode gateway = cluster.get("Gateway", gw.namespace(), gw.name());
        if (gateway == null) {
            failed.accept("error getting Gateway " + gw);
            return;
        }
        Map<String, String> labels = strings(gateway.path("spec").path("infrastructure").path("labels"));
        Map<String, String> annotations = strings(gateway.path("spec").path("infrastructure").path("annotations"));
        String selector = GATEWAY_NAME_LABEL + "=" + gw.name();
        List<? extends HasMetadata> accounts = List.of();
        List<? extends HasMetadata> pods = List.of();
        List<? extends HasMetadata> services = List.of();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> byLabel = Map.of(GATEWAY_NAME_LABEL, gw.name());
            accounts = kube.serviceAccounts().inNamespace(gw.namespace()).withLabels(byLabel).list().getItems();
            pods = kube.pods().inNamespace(gw.namespace()).withLabels(byLabel).list().getItems();
            services = kube.services().inNamespace(gw.namespace()).withLabels(byLabel).list().getItems();
            if (!accounts.isEmpty() || !pods.isEmpty() || !services.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Pause.sleep(poll.toMillis());
        }
        log.add("  listed by " + selector + ": " + accounts.size() + " ServiceAccount(s), " + pods.size()
                + " Pod(s) (the mock cluster has no kubelet), " + services.size() + " Service(s)");
        if (accounts.isEmpty() && pods.isEmpty() && services.isEmpty()) {
            failed.accept("expected to find a ServiceAccount, Pod, or Service with the gateway-name label " + selector);
            return;
        }
        passed.accept("a ServiceAccount, Pod or Service is labelled " + selector);
        subset("ServiceAccount", accounts, labels, annotations, passed, failed);
        subset("Pod", pods, labels, annotations, passed, failed);
        subset("Service", services, labels, annotations, passed, failed);
    }

    /** require.Subsetf of the first object's labels and annotations, when one was found. */
    private static void subset(String kind, List<? extends HasMetadata> found, Map<String, String> labels,
                               Map<String, String> annotations, Consumer<String> passed, Consumer<String> failed) {
        if (found.isEmpty()) {
            return;
        }
        HasMetadata o = found.get(0);
        String name = kind + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
        Map<String, String> have = o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
        if (have.entrySet().containsAll(labels.entrySet())) {
            passed.accept(name + " labels " + have + " contain the infrastructure labels " + labels);
        } else {
            failed.accept("expected " + name + " label set " + have + " to contain all Gateway infrastructure labels "
                    + labels);
        }
        have = o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
        if (have.entrySet().containsAll(annotations.entrySet())) {
            passed.accept(name + " annotations contain the infrastructure annotations " + annotations);
        } else {
            failed.accept("expected " + name + " annotation set " + have
                    + " to contain all Gateway infrastructure annotations " + annotations);
        }
    }

    /**
     * gateway-static-addresses.go lines 137-151: eventually (GatewayMustHaveAddress, polled at
     * DefaultPollInterval) exactly one status address; it is not the unusable nor the invalid
     * address, it is the usable one, with the usable address's type.
     *
     * @param requested the Gateway's spec.addresses as applied: invalid, unusable, usable
     */
    static void staticAddresses(Cluster cluster, StatusAssertions.NN gw, JsonNode requested, Duration timeout,
                                Duration poll, Consumer<String> passed, Consumer<String> failed) {
        if (requested == null || requested.size() != 3) {
            failed.accept("expected 3 addresses on the Gateway, one invalid, one usable and one unusable. somehow got "
                    + (requested == null ? 0 : requested.size()));
            return;
        }
        JsonNode invalid = requested.get(0);
        JsonNode unusable = requested.get(1);
        JsonNode usable = requested.get(2);
        JsonNode addresses = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode g = cluster.get("Gateway", gw.namespace(), gw.name());
            addresses = g == null ? null : g.path("status").path("addresses");
            if (addresses != null && addresses.size() == 1 || System.nanoTime() > deadline) {
                break;
            }
            Pause.sleep(poll.toMillis());
        }
        if (addresses == null || addresses.size() != 1) {
            failed.accept("expected only 1 status address on Gateway, got " + addresses);
            return;
        }
        passed.accept("eventually exactly 1 status address: " + addresses);
        List<String> values = new ArrayList<>();
        addresses.forEach(a -> values.add(a.path("value").asText()));
        check(!values.contains(unusable.path("value").asText()), "should not contain the unusable address "
                + unusable.path("value").asText(), passed, failed);
        check(!values.contains(invalid.path("value").asText()), "should not contain the invalid address "
                + invalid.path("value").asText(), passed, failed);
        check(values.contains(usable.path("value").asText()), "should contain the usable address "
                + usable.path("value").asText(), passed, failed);
        for (JsonNode a : addresses) {
            if (a.path("value").asText().equals(usable.path("value").asText())) {
                String want = usable.path("type").asText(null);
                String got = a.path("type").asText(null);
                check(java.util.Objects.equals(want, got), "expected address type to match the usable address: "
                        + want + ", got " + got, passed, failed);
            }
        }
    }

    private static void check(boolean ok, String what, Consumer<String> passed, Consumer<String> failed) {
        if (ok) {
            passed.accept(what);
        } else {
            failed.accept(what);
        }
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new TreeMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
