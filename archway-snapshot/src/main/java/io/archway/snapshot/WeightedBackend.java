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
 * @param tls how to speak TLS to the endpoints (a BackendTLSPolicy targets the Service port), or
 *     null for cleartext
 */
public record WeightedBackend(BackendOrigin origin, int weight, AppProtocol protocol, List<Endpoint> endpoints,
                              String invalidReason, List<HttpFilter> filters, BackendTls tls) {
    public WeightedBackend {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(protocol, "protocol");
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
    }

    /** A backend spoken to in cleartext. */
    public WeightedBackend(BackendOrigin origin, int weight, AppProtocol protocol, List<Endpoint> endpoints,
                           String invalidReason, List<HttpFilter> filters) {
        this(origin, weight, protocol, endpoints, invalidReason, filters, null);
    }

    /** The same backend spoken to with {@code tls} (null: cleartext). */
    public WeightedBackend withTls(BackendTls tls) {
        return new WeightedBackend(origin, weight, protocol, endpoints, invalidReason, filters, tls);
    }

    /** The backendRef resolved (its own status says so); see {@link #servable()} for traffic. */
    public boolean valid() {
        return invalidReason == null;
    }

    /**
     * Why its share of the traffic is answered with 500 without connecting: the reference did not
     * resolve, or its BackendTLSPolicy cannot be used; null when the backend is served.
     */
    public String unservableReason() {
        if (invalidReason != null) {
            return invalidReason;
        }
        return tls != null && tls.refusal() != null ? "BackendTLSPolicy " + tls.policy() + ": " + tls.refusal() : null;
    }
}
