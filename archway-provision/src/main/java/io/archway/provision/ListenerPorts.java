package io.archway.provision;

import io.archway.translate.bind.AllowedNamespaces;
import io.archway.translate.bind.ListenerValidator;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The ports a Gateway's data plane exposes: one per distinct (port, transport) among its listeners
 * and the listeners of the ListenerSets it admits (GEP-1713: they are served on the Gateway's
 * address). A UDP listener is a UDP port; every other protocol (HTTP, HTTPS, TLS, TCP) is TCP.
 * Listeners that the translator rejects still get their port: the Service only opens a way to the
 * pods, and the proxy refuses what it does not serve.
 */
public final class ListenerPorts {
    /** One Service / container port. */
    public record ListenerPort(int port, String transport) implements Comparable<ListenerPort> {
        /** The port's name: {@code tcp-80}, {@code udp-53} (unique, and a valid IANA_SVC_NAME). */
        public String name() {
            return transport.toLowerCase(java.util.Locale.ROOT) + "-" + port;
        }

        @Override
        public int compareTo(ListenerPort o) {
            final int byPort = Integer.compare(port, o.port);
            return byPort != 0 ? byPort : transport.compareTo(o.transport);
        }
    }

    private ListenerPorts() {
    }

    /**
     * @param listenerSets ListenerSets of the cluster (those naming another Gateway are skipped)
     * @param namespaceLabels a namespace's labels, for an allowedListeners Selector
     */
    public static List<ListenerPort> of(Gateway gateway, Collection<ListenerSet> listenerSets,
                                        Function<String, Map<String, String>> namespaceLabels) {
        final TreeSet<ListenerPort> ports = new TreeSet<>();
        if (gateway.getSpec() != null && gateway.getSpec().getListeners() != null) {
            for (Listener listener : gateway.getSpec().getListeners()) {
                add(ports, listener.getPort(), listener.getProtocol());
            }
        }
        final ResourceKey key = new ResourceKey("Gateway", gateway.getMetadata().getNamespace(),
                gateway.getMetadata().getName());
        final AllowedNamespaces allowed = AllowedNamespaces.listenerSetsOf(gateway, namespaceLabels);
        for (ListenerSet set : listenerSets) {
            if (!key.equals(ListenerValidator.parentGateway(set)) || !allowed.allows(set.getMetadata().getNamespace())
                    || set.getSpec().getListeners() == null) {
                continue;
            }
            for (ListenerEntry entry : set.getSpec().getListeners()) {
                add(ports, entry.getPort(), entry.getProtocol());
            }
        }
        return new ArrayList<>(ports);
    }

    private static void add(TreeSet<ListenerPort> ports, Integer port, String protocol) {
        if (port == null || port < 1 || port > 65_535) {
            return; // the API server refuses it; the translator reports it
        }
        ports.add(new ListenerPort(port, "UDP".equals(protocol) ? "UDP" : "TCP"));
    }
}
