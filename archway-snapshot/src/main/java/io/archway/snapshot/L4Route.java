package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * The route an L4 listener serves: the rule of its TCPRoute or UDPRoute, ready to forward.
 *
 * <p>Each new connection (TCP) or client session (UDP) goes to one backend chosen by weight; a
 * chosen backend that is invalid or has no ready endpoints, or a rule whose weights are all zero,
 * gets its connection closed (its datagrams dropped), as a TCPRoute or UDPRoute rule with no valid
 * backend must.
 *
 * @param origin the route and rule
 * @param backends the rule's backendRefs with their weights and endpoints; may be empty
 */
public record L4Route(RouteOrigin origin, List<WeightedBackend> backends) {
    public L4Route {
        Objects.requireNonNull(origin, "origin");
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
    }
}
