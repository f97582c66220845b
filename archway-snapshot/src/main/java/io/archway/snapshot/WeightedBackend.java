package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One backendRef of a rule with its weight and resolved endpoints.
 *
 * @param origin the backendRef as written
 * @param weight relative weight; 0 receives no traffic
 * @param protocol how to speak to the endpoints
 * @param endpoints ready endpoints; empty means 503 for this backend's share
 * @param invalidReason null when the reference resolved; else why not (the status reason, e.g.
 *     {@code BackendNotFound}): its share of the traffic is answered with 500
 * @param filters backendRef-level filters (HTTPBackendRef.filters), applied after the rule's
 */
public record WeightedBackend(BackendOrigin origin, int weight, AppProtocol protocol, List<Endpoint> endpoints,
                              String invalidReason, List<HttpFilter> filters) {
    public WeightedBackend {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(protocol, "protocol");
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
    }

    public boolean valid() {
        return invalidReason == null;
    }
}
