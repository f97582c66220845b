package io.archway.provision;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Gateway's {@code status.addresses} from its data-plane Service, for the status writer: the
 * addresses clients reach the Gateway on.
 *
 * <ul>
 *   <li>A LoadBalancer Service: the addresses in {@code status.loadBalancer.ingress} (IPAddress
 *       or Hostname), then its {@code spec.externalIPs}. None while the load balancer is pending:
 *       the Gateway then has no address yet (Programmed=False, AddressNotAssigned).</li>
 *   <li>A ClusterIP or NodePort Service: its {@code spec.externalIPs} when set (the requested
 *       static addresses), else its cluster IPs.</li>
 * </ul>
 */
public final class ServiceAddresses {
    public static final String HOSTNAME = "Hostname";

    private ServiceAddresses() {
    }

    public static List<GatewayStatusAddress> of(Service service) {
        final Set<GatewayStatusAddress> out = new LinkedHashSet<>();
        final var spec = service.getSpec();
        if (spec == null) {
            return List.of();
        }
        if ("LoadBalancer".equals(spec.getType()) && service.getStatus() != null
                && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
                    out.add(address(StaticAddresses.IP_ADDRESS, ingress.getIp()));
                } else if (ingress.getHostname() != null && !ingress.getHostname().isEmpty()) {
                    out.add(address(HOSTNAME, ingress.getHostname()));
                }
            }
        }
        if (spec.getExternalIPs() != null) {
            spec.getExternalIPs().forEach(ip -> out.add(address(StaticAddresses.IP_ADDRESS, ip)));
        }
        if (out.isEmpty() && !"LoadBalancer".equals(spec.getType()) && !"ExternalName".equals(spec.getType())) {
            final List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                    ? spec.getClusterIPs() : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            clusterIps.stream().filter(ip -> !ip.isEmpty() && !"None".equals(ip))
                    .forEach(ip -> out.add(address(StaticAddresses.IP_ADDRESS, ip)));
        }
        return new ArrayList<>(out);
    }

    private static GatewayStatusAddress address(String type, String value) {
        final GatewayStatusAddress address = new GatewayStatusAddress();
        address.setType(type);
        address.setValue(value);
        return address;
    }

    /**
     * The Gateway's requested IP addresses that its Service was not given (GatewayStaticAddresses:
     * Programmed=False with reason AddressNotUsable while any remain).
     */
    public static List<String> notAssigned(Gateway gateway, Service service) {
        final Set<String> assigned = new LinkedHashSet<>();
        of(service).forEach(a -> assigned.add(a.getValue()));
        return StaticAddresses.requestedIps(gateway).stream().filter(ip -> !assigned.contains(ip)).toList();
    }
}
