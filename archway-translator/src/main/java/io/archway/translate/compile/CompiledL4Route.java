package io.archway.translate.compile;

import io.archway.snapshot.L4Route;
import io.archway.translate.bind.RouteContext;
import java.time.Instant;
import java.util.Comparator;

/**
 * A TLSRoute's, TCPRoute's or UDPRoute's rule compiled once, before attachment.
 *
 * @param created {@code metadata.creationTimestamp}, or null when unknown
 * @param context the route as attachment sees it (hostnames for a TLSRoute only)
 */
public record CompiledL4Route(RouteContext context, Instant created, L4Route route) {
    /**
     * Which of several routes attached to one L4 listener it serves (for TLSRoutes: of those
     * claiming one hostname on one listener): only one can take its connections
     * (TCPRouteMultipleRoutesAttachment), and as for conflicting HTTPRoute rules the oldest wins,
     * then the first by namespace/name.
     */
    public static final Comparator<CompiledL4Route> PRECEDENCE = Comparator
            .comparing(CompiledL4Route::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(r -> r.context().key());
}
