package io.archway.client;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Objects;

/**
 * Identifies one route: kind (one of {@link #KINDS}), namespace and name. A null or blank
 * namespace means {@code default}.
 */
public record RouteRef(ResourceKind kind, String namespace, String name) {

    /** The namespace used when none is given. */
    public static final String DEFAULT_NAMESPACE = "default";

    /**
     * The route kinds whose backend weights the client reads and edits, HTTPRoute first (a name
     * typed without a kind is looked up in this order).
     */
    public static final List<ResourceKind> KINDS = List.of(ResourceKind.HTTP_ROUTE, ResourceKind.GRPC_ROUTE);

    public RouteRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("not a route kind the client edits: " + kind.kind() + " (expected "
                    + ResourceKind.describe(KINDS) + ")");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("route name must not be blank");
        }
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    }

    /** An HTTPRoute reference. */
    public static RouteRef http(String namespace, String name) {
        return new RouteRef(ResourceKind.HTTP_ROUTE, namespace, name);
    }

    /** A GRPCRoute reference. */
    public static RouteRef grpc(String namespace, String name) {
        return new RouteRef(ResourceKind.GRPC_ROUTE, namespace, name);
    }

    /** The reference to {@code route}, an object of one of {@link #KINDS}. */
    public static RouteRef of(HasMetadata route) {
        ResourceKind kind = ResourceKind.of(route).orElseThrow(() -> new IllegalArgumentException(
                "not a route: " + route.getClass().getSimpleName()));
        return new RouteRef(kind, route.getMetadata().getNamespace(), route.getMetadata().getName());
    }

    /**
     * Parses {@code [kind/][namespace/]name}, e.g. {@code shop/checkout}, {@code grpcroute/shop/api}.
     * Without a kind, {@code defaultKind} is used.
     */
    public static RouteRef parse(String text, ResourceKind defaultKind) {
        String[] parts = text.split("/", -1);
        return switch (parts.length) {
            case 1 -> new RouteRef(defaultKind, null, parts[0]);
            case 2 -> new RouteRef(defaultKind, parts[0], parts[1]);
            case 3 -> new RouteRef(parseKind(parts[0]), parts[1], parts[2]);
            default -> throw new IllegalArgumentException("expected [kind/][namespace/]name, got '" + text + "'");
        };
    }

    /**
     * One of {@link #KINDS} by a kubectl-style name ({@code HTTPRoute}, {@code httproute},
     * {@code httproutes}) or without "route" ({@code http}, {@code grpc}).
     */
    public static ResourceKind parseKind(String text) {
        return ResourceKind.parse(text).or(() -> ResourceKind.parse(text.trim() + "route")).filter(KINDS::contains)
                .orElseThrow(() -> new IllegalArgumentException("unknown route kind '" + text + "' (expected "
                        + ResourceKind.describe(KINDS) + ")"));
    }

    @Override
    public String toString() {
        return kind.kind() + " " + namespace + "/" + name;
    }
}
