package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceAddressesTest {
    static List<String> of(Service service) {
        return ServiceAddresses.of(service).stream().map(a -> a.getType() + "=" + a.getValue()).toList();
    }

    @Test
    void aLoadBalancerServiceGivesItsIngressAndNothingWhilePending() {
        final Service pending = new ServiceBuilder().withNewSpec().withType("LoadBalancer").withClusterIP("10.96.0.36")
                .endSpec().build();
        assertThat(of(pending)).isEmpty();

        final Service ready = new ServiceBuilder(pending).withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("203.0.113.7").endIngress()
                .addNewIngress().withHostname("lb.example.com").endIngress()
                .endLoadBalancer().endStatus().build();
        assertThat(of(ready)).containsExactly("IPAddress=203.0.113.7", "Hostname=lb.example.com");
    }

    @Test
    void aClusterIpServiceGivesItsExternalIpsElseItsClusterIps() {
        final Service plain = new ServiceBuilder().withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.36")
                .withClusterIPs("10.96.0.36", "fd00::36").endSpec().build();
        assertThat(of(plain)).containsExactly("IPAddress=10.96.0.36", "IPAddress=fd00::36");

        final Service requested = new ServiceBuilder(plain).editSpec().withExternalIPs("192.0.2.10").endSpec().build();
        assertThat(of(requested)).containsExactly("IPAddress=192.0.2.10");
        assertThat(of(new ServiceBuilder().withNewSpec().withClusterIP("None").endSpec().build())).isEmpty();
    }

    @Test
    void requestedAddressesTheServiceWasNotGivenAreNotAssigned() {
        // GatewayStaticAddresses: an unusable address stays pending at the load balancer
        final Gateway gateway = new GatewayBuilder().withNewSpec()
                .addNewAddress().withValue("203.0.113.7").endAddress()
                .addNewAddress().withType("IPAddress").withValue("198.51.100.9").endAddress()
                .addNewAddress().withType("Hostname").withValue("gw.example.com").endAddress()
                .endSpec().build();
        final Service service = new ServiceBuilder().withNewSpec().withType("LoadBalancer").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("203.0.113.7").endIngress()
                .endLoadBalancer().endStatus().build();
        assertThat(ServiceAddresses.notAssigned(gateway, service)).containsExactly("198.51.100.9");
        final GatewayStatusAddress only = ServiceAddresses.of(service).get(0);
        assertThat(only.getType()).isEqualTo("IPAddress");
        assertThat(only.getValue()).isEqualTo("203.0.113.7");
    }
}
