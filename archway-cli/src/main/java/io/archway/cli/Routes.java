package io.archway.cli;

import io.archway.client.ArchwayClient;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteKind;
import io.archway.client.RouteRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/** Resolves a ROUTE argument, {@code [kind/][namespace/]name}, to an existing route. */
final class Routes {
    private Routes() {
    }

    record Found(RouteRef ref, HasMetadata route) {
    }

    /** The ref as typed; {@code namespace} (from -n) applies when the text names none; kind defaults to HTTPRoute. */
    static RouteRef parse(String text, String namespace) {
        RouteRef ref = RouteRef.parse(text, RouteKind.HTTP_ROUTE);
        if (namespace != null && text.split("/", -1).length == 1) {
            ref = new RouteRef(ref.kind(), namespace, ref.name());
        }
        return ref;
    }

    /** Whether the text says the kind ({@code grpcroute/ns/name}). */
    static boolean explicitKind(String text) {
        return text.split("/", -1).length == 3;
    }

    /** Finds the route; without an explicit kind an HTTPRoute is preferred, else a GRPCRoute of that name. */
    static Found find(ArchwayClient client, String text, String namespace) {
        RouteRef ref = parse(text, namespace);
        Optional<? extends HasMetadata> r = get(client, ref);
        if (r.isEmpty() && !explicitKind(text)) {
            RouteRef grpc = RouteRef.grpc(ref.namespace(), ref.name());
            Optional<? extends HasMetadata> g = get(client, grpc);
            if (g.isPresent()) {
                return new Found(grpc, g.get());
            }
            throw new ResourceNotFoundException("no HTTPRoute or GRPCRoute " + ref.namespace() + "/" + ref.name());
        }
        if (r.isEmpty()) {
            throw new ResourceNotFoundException("no " + ref);
        }
        return new Found(ref, r.get());
    }

    private static Optional<? extends HasMetadata> get(ArchwayClient client, RouteRef ref) {
        return ref.kind() == RouteKind.HTTP_ROUTE ? client.getHttpRoute(ref.namespace(), ref.name())
                : client.getGrpcRoute(ref.namespace(), ref.name());
    }
}
