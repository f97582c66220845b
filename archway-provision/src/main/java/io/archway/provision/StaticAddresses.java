package io.archway.provision;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A Gateway's requested {@code spec.addresses} (GatewayStaticAddresses) as its Service asks for
 * them. Only {@code IPAddress} addresses (the type when unset) can be requested of a Service;
 * other types are the translator's to refuse (Accepted=False, UnsupportedAddress).
 *
 * <ul>
 *   <li>A LoadBalancer Service requesting one address sets {@code spec.loadBalancerIP}: the load
 *       balancer controller assigns it or leaves it pending, and the Service's
 *       {@code status.loadBalancer.ingress} says which (see {@link ServiceAddresses}). The field
 *       is deprecated but remains the portable request; providers that want an annotation get it
 *       through {@code spec.infrastructure.annotations}.</li>
 *   <li>Otherwise (several addresses, e.g. dual stack, or a ClusterIP or NodePort Service) the
 *       addresses go to {@code spec.externalIPs}, which kube-proxy serves on whichever node the
 *       network routes them to.</li>
 * </ul>
 */
public record StaticAddresses(String loadBalancerIp, List<String> externalIps) {
    public static final String IP_ADDRESS = "IPAddress";

    public static StaticAddresses of(Gateway gateway, String serviceType) {
        final List<String> ips = requestedIps(gateway);
        if (ips.isEmpty()) {
            return new StaticAddresses(null, List.of());
        }
        if ("LoadBalancer".equals(serviceType) && ips.size() == 1) {
            return new StaticAddresses(ips.get(0), List.of());
        }
        return new StaticAddresses(null, ips);
    }

    /** The values of the Gateway's IPAddress addresses (type unset or IPAddress), in spec order. */
    public static List<String> requestedIps(Gateway gateway) {
        final List<String> out = new ArrayList<>();
        if (gateway.getSpec() == null || gateway.getSpec().getAddresses() == null) {
            return out;
        }
        for (GatewaySpecAddress address : gateway.getSpec().getAddresses()) {
            final boolean ip = address.getType() == null || IP_ADDRESS.equals(address.getType());
            if (ip && address.getValue() != null && !address.getValue().isEmpty() && !out.contains(address.getValue())) {
                out.add(address.getValue());
            }
        }
        return out;
    }
}
