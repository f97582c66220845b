package io.archway.client;

import java.util.Objects;

/**
 * Identifies one route: kind, namespace and name. A null or blank namespace means {@code default}.
 */
public record RouteRef(RouteKind kind, String namespace, String name) {

    /** The namespace used when none is given. */
    public static final String DEFAULT_NAMESPACE = "default";

    public RouteRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("route name must not be blank");
        }
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    }

    /** An HTTPRoute reference. */
    public static RouteRef http(String namespace, String name) {
        return new RouteRef(RouteKind.HTTP_ROUTE, namespace, name);
    }

    /** A GRPCRoute reference. */
    public static RouteRef grpc(String namespace, String name) {
        return new RouteRef(RouteKind.GRPC_ROUTE, namespace, name);
    }

    /**
     * Parses {@code [kind/][namespace/]name}, e.g. {@code shop/checkout}, {@code grpcroute/shop/api}.
     * Without a kind, {@code defaultKind} is used.
     */
    public static RouteRef parse(String text, RouteKind defaultKind) {
        String[] parts = text.split("/", -1);
        return switch (parts.length) {
            case 1 -> new RouteRef(defaultKind, null, parts[0]);
            case 2 -> new RouteRef(defaultKind, parts[0], parts[1]);
            case 3 -> new RouteRef(RouteKind.parse(parts[0]), parts[1], parts[2]);
            default -> throw new IllegalArgumentException("expected [kind/][namespace/]name, got '" + text + "'");
        };
    }

    @Override
    public String toString() {
        return kind.kind() + " " + namespace + "/" + name;
    }
}
