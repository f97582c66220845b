package io.archway.translate;

import java.util.List;
import java.util.Objects;

/**
 * Decides which IP address each Gateway is served on (and reported in
 * {@code status.addresses}). A pure function of the set of Gateways, so translation stays
 * deterministic.
 */
public sealed interface GatewayAddressing {

    /**
     * The address for a Gateway.
     *
     * @param gatewayKeys every Gateway being translated, in {@link ResourceKey} order
     * @param gateway the one asked about
     */
    String addressFor(List<ResourceKey> gatewayKeys, ResourceKey gateway);

    /** Every Gateway shares one bind address (e.g. {@code 0.0.0.0}); listeners on one port merge. */
    record Shared(String address) implements GatewayAddressing {
        public Shared {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String addressFor(List<ResourceKey> gatewayKeys, ResourceKey gateway) {
            return address;
        }
    }

    /**
     * Each Gateway's data plane is provisioned on the cluster (a Deployment behind a Service of its
     * own, {@code serve --kubernetes --provisioner-config}): {@code status.addresses} are that
     * Service's ({@link io.archway.translate.bind.ServiceAddresses}), read from the translator's
     * input like any resource, and requested {@code spec.addresses} it did not get make the Gateway
     * Programmed=False/AddressNotUsable. This process itself binds each Gateway where {@code bind}
     * says: one address for all in production (its own data plane is not what clients reach), a
     * loopback address per Gateway in the conformance harness's Kubernetes mode, where this
     * process's data plane stands in for the provisioned pods.
     */
    record ProvisionedServices(GatewayAddressing bind) implements GatewayAddressing {
        public ProvisionedServices {
            Objects.requireNonNull(bind, "bind");
            if (bind instanceof ProvisionedServices) {
                throw new IllegalArgumentException("bind must say where to bind, not be provisioned again");
            }
        }

        /** Every Gateway bound on {@code address} in this process. */
        public ProvisionedServices(String address) {
            this(new Shared(address));
        }

        @Override
        public String addressFor(List<ResourceKey> gatewayKeys, ResourceKey gateway) {
            return bind.addressFor(gatewayKeys, gateway);
        }
    }

    /**
     * Each Gateway gets a loopback address of its own, 127.0.x.y, derived from a hash of its
     * namespace/name (collisions are resolved by probing in key order), so that adding or removing
     * one Gateway never moves another. Used by the conformance harness, where dozens of Gateways
     * all listen on port 80.
     */
    record LoopbackPerGateway() implements GatewayAddressing {
        @Override
        public String addressFor(List<ResourceKey> gatewayKeys, ResourceKey gateway) {
            final java.util.Set<Integer> taken = new java.util.HashSet<>();
            for (ResourceKey key : gatewayKeys) {
                int slot = slot(key);
                while (!taken.add(slot)) {
                    slot = slot % 65_000 + 1;
                }
                if (key.equals(gateway)) {
                    return "127.0." + (1 + slot / 250) + "." + (1 + slot % 250);
                }
            }
            throw new IllegalArgumentException("unknown gateway " + gateway);
        }

        private static int slot(ResourceKey key) {
            return Math.floorMod((key.namespace() + "/" + key.name()).hashCode(), 62_500);
        }
    }
}
