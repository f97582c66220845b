package io.archway.translate.compile;

import java.time.Instant;
import java.util.Comparator;

/**
 * The whole GRPCRoute match precedence (GRPCRouteRule.matches), in one comparator: an entry that
 * sorts first wins. The hostname criteria are the virtual host's (most specific hostname first);
 * within one, precedence goes to the largest number of characters in a matching service, then in
 * a matching method, then the most header matches; across routes the oldest, then the first by
 * "{namespace}/{name}"; within a route the first rule, then the first match.
 */
public final class GrpcRulePrecedence {
    public static final Comparator<RankedEntry> ORDER = Comparator
            .comparing((RankedEntry e) -> e.grpc().serviceChars(), Comparator.reverseOrder())
            .thenComparing(e -> e.grpc().methodChars(), Comparator.reverseOrder())
            .thenComparing(e -> e.entry().match().headers().size(), Comparator.reverseOrder())
            .thenComparing(RankedEntry::routeCreated, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(e -> e.entry().origin().namespace() + "/" + e.entry().origin().name())
            .thenComparingInt(e -> e.entry().origin().ruleIndex())
            .thenComparingInt(e -> e.entry().origin().matchIndex());

    private GrpcRulePrecedence() {
    }
}
