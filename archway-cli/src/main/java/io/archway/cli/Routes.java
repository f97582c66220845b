package io.archway.cli;

import io.archway.client.ArchwayClient;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteRef;
import io.archway.kinds.ResourceKind;
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
        RouteRef ref = RouteRef.parse(text, RouteRef.KINDS.get(0));
        if (namespace != null && text.split("/", -1).length == 1) {
            ref = new RouteRef(ref.kind(), namespace, ref.name());
        }
        return ref;
    }

    /** Whether the text says the kind ({@code grpcroute/ns/name}). */
    static boolean explicitKind(String text) {
        return text.split("/", -1).length == 3;
    }

    /** Finds the route; without an explicit kind, the first of {@link RouteRef#KINDS} with that name (HTTPRoute first). */
    static Found find(ArchwayClient client, String text, String namespace) {
        RouteRef ref = parse(text, namespace);
        if (explicitKind(text)) {
            return new Found(ref, client.getRoute(ref).orElseThrow(() -> new ResourceNotFoundException("no " + ref)));
        }
        for (ResourceKind kind : RouteRef.KINDS) {
            RouteRef candidate = new RouteRef(kind, ref.namespace(), ref.name());
            Optional<HasMetadata> r = client.getRoute(candidate);
            if (r.isPresent()) {
                return new Found(candidate, r.get());
            }
        }
        throw new ResourceNotFoundException("no " + ResourceKind.describe(RouteRef.KINDS) + " " + ref.namespace() + "/"
                + ref.name());
    }
}
