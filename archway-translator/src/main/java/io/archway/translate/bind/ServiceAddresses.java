package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A provisioned Gateway's {@code status.addresses} from its data-plane Service (see
 * {@link io.archway.translate.GatewayAddressing.ProvisionedServices}): the addresses clients reach
 * the Gateway on. The translator reads the Service from its input like any other resource, so the
 * address rules (which addresses, AddressNotAssigned, AddressNotUsable) live here once, for the
 * status writer and {@code archway explain} alike; the provisioner only requests the addresses.
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
    public static final String IP_ADDRESS = "IPAddress";
    public static final String HOSTNAME = "Hostname";
    /** On a provisioned object: the Gateway it serves, {@code namespace/name}. */
    public static final String GATEWAY_ANNOTATION = "archway.io/gateway";

    private ServiceAddresses() {
    }

    /** The data-plane Service provisioned for {@code gateway}: in its namespace, annotated with it; null if none. */
    public static Service dataPlaneService(ResourceView view, ResourceKey gateway) {
        final String ref = gateway.namespace() + "/" + gateway.name();
        for (Service service : view.services()) {
            if (gateway.namespace().equals(service.getMetadata().getNamespace())
                    && service.getMetadata().getAnnotations() != null
                    && ref.equals(service.getMetadata().getAnnotations().get(GATEWAY_ANNOTATION))) {
                return service;
            }
        }
        return null;
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
                    out.add(address(IP_ADDRESS, ingress.getIp()));
                } else if (ingress.getHostname() != null && !ingress.getHostname().isEmpty()) {
                    out.add(address(HOSTNAME, ingress.getHostname()));
                }
            }
        }
        if (spec.getExternalIPs() != null) {
            spec.getExternalIPs().forEach(ip -> out.add(address(IP_ADDRESS, ip)));
        }
        if (out.isEmpty() && !"LoadBalancer".equals(spec.getType()) && !"ExternalName".equals(spec.getType())) {
            final List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                    ? spec.getClusterIPs() : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            clusterIps.stream().filter(ip -> !ip.isEmpty() && !"None".equals(ip))
                    .forEach(ip -> out.add(address(IP_ADDRESS, ip)));
        }
        return new ArrayList<>(out);
    }

    public static GatewayStatusAddress address(String type, String value) {
        final GatewayStatusAddress address = new GatewayStatusAddress();
        address.setType(type);
        address.setValue(value);
        return address;
    }

    /** The values of the Gateway's requested IPAddress addresses (type unset or IPAddress), in spec order. */
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

    /**
     * The Gateway's requested IP addresses that its Service was not given (GatewayStaticAddresses:
     * Programmed=False with reason AddressNotUsable while any remain).
     */
    public static List<String> notAssigned(Gateway gateway, List<GatewayStatusAddress> assigned) {
        final Set<String> values = new LinkedHashSet<>();
        assigned.forEach(a -> values.add(a.getValue()));
        return requestedIps(gateway).stream().filter(ip -> !values.contains(ip)).toList();
    }

    public static List<String> notAssigned(Gateway gateway, Service service) {
        return notAssigned(gateway, of(service));
    }
}
