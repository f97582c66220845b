package io.archway.translate.compile;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.translate.ResourceKey;
import io.archway.translate.bind.RouteContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTPRoute's or GRPCRoute's rules compiled once, before attachment: its entries in rule and
 * match order and the route as attachment sees it (kind, parents, hostnames, whether it uses
 * anything unsupported, its ResolvedRefs condition).
 *
 * @param created {@code metadata.creationTimestamp}, or null when unknown
 * @param grpcMethods for a GRPCRoute, the method match of each entry (same order); empty for an
 *     HTTPRoute
 */
public record CompiledRoute(RouteContext context, Instant created, List<HttpRouteEntry> entries,
                            List<GrpcMethodRank> grpcMethods) {
    public CompiledRoute {
        entries = List.copyOf(entries);
        grpcMethods = List.copyOf(grpcMethods);
        if (!grpcMethods.isEmpty() && grpcMethods.size() != entries.size()) {
            throw new IllegalArgumentException("one gRPC method rank per entry");
        }
    }

    public ResourceKey key() {
        return context.key();
    }

    /** The entries with what precedence compares beyond them. */
    public List<RankedEntry> ranked() {
        final List<RankedEntry> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.add(new RankedEntry(entries.get(i), created, grpcMethods.isEmpty() ? null : grpcMethods.get(i)));
        }
        return out;
    }
}
