package io.archway.translate.compile;

import io.archway.snapshot.HttpRouteEntry;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A route entry with what precedence needs beyond it: its route's creation timestamp (null if
 * unknown) and, for a GRPCRoute entry, its method match's size (null for an HTTPRoute entry).
 */
public record RankedEntry(HttpRouteEntry entry, Instant routeCreated, GrpcMethodRank grpc) {
    /**
     * The order within one virtual host: HTTPRoute entries by {@link HttpRulePrecedence}, GRPCRoute
     * entries by {@link GrpcRulePrecedence}. The two kinds never share a hostname on a listener
     * (GRPCRouteSpec.hostnames), so a virtual host holds one kind; the kind is compared first only
     * to keep the order total.
     */
    public static final Comparator<RankedEntry> ORDER = Comparator
            .comparing((RankedEntry e) -> e.grpc() != null)
            .thenComparing((a, b) -> a.grpc() == null ? HttpRulePrecedence.ORDER.compare(a, b)
                    : GrpcRulePrecedence.ORDER.compare(a, b));

    public RankedEntry {
        Objects.requireNonNull(entry, "entry");
    }

    /** An HTTPRoute entry. */
    public RankedEntry(HttpRouteEntry entry, Instant routeCreated) {
        this(entry, routeCreated, null);
    }
}
