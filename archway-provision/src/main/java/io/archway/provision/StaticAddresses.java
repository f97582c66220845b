package io.archway.provision;

import io.archway.translate.bind.ServiceAddresses;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.List;

/**
 * A Gateway's requested {@code spec.addresses} (GatewayStaticAddresses) as its Service asks for
 * them. Only {@code IPAddress} addresses (the type when unset) can be requested of a Service;
 * other types are the translator's to refuse (Accepted=False, UnsupportedAddress).
 *
 * <ul>
 *   <li>A LoadBalancer Service requesting one address sets {@code spec.loadBalancerIP}: the load
 *       balancer controller assigns it or leaves it pending, and the Service's
 *       {@code status.loadBalancer.ingress} says which (see {@link ServiceAddresses}, which also decides the requested addresses). The field
 *       is deprecated but remains the portable request; providers that want an annotation get it
 *       through {@code spec.infrastructure.annotations}.</li>
 *   <li>Otherwise (several addresses, e.g. dual stack, or a ClusterIP or NodePort Service) the
 *       addresses go to {@code spec.externalIPs}, which kube-proxy serves on whichever node the
 *       network routes them to.</li>
 * </ul>
 */
public record StaticAddresses(String loadBalancerIp, List<String> externalIps) {
    public static final String IP_ADDRESS = ServiceAddresses.IP_ADDRESS;

    public static StaticAddresses of(Gateway gateway, String serviceType) {
        final List<String> ips = ServiceAddresses.requestedIps(gateway);
        if (ips.isEmpty()) {
            return new StaticAddresses(null, List.of());
        }
        if ("LoadBalancer".equals(serviceType) && ips.size() == 1) {
            return new StaticAddresses(ips.get(0), List.of());
        }
        return new StaticAddresses(null, ips);
    }
}
