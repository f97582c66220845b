package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * Everything the data plane needs to serve traffic, at one version. Swapped atomically as a whole.
 *
 * @param version monotonically increasing; the data plane logs and exports it
 * @param ports one entry per socket (address and Gateway listener port) to serve
 */
public record RoutingSnapshot(long version, List<PortBinding> ports) {
    public RoutingSnapshot {
        ports = List.copyOf(Objects.requireNonNull(ports, "ports"));
    }

    /** The snapshot served before any configuration has been translated: no sockets at all. */
    public static RoutingSnapshot empty() {
        return new RoutingSnapshot(0, List.of());
    }
}
