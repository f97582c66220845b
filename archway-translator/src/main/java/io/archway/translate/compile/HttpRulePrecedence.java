package io.archway.translate.compile;

import io.archway.snapshot.PathMatch;
import java.time.Instant;
import java.util.Comparator;

/**
 * The whole HTTPRoute match precedence (HTTPRouteRule.matches), in one comparator: an entry that
 * sorts first wins. Sorting is total, so no stable sort or input order is relied upon.
 */
public final class HttpRulePrecedence {
    /** Higher-ranked first; everything after step 5 only breaks ties. */
    public static final Comparator<RankedEntry> ORDER = Comparator
            // 1. An "Exact" path match beats any other; RegularExpression (implementation-specific
            //    precedence) we place between Exact and PathPrefix, as Envoy Gateway does.
            .comparingInt((RankedEntry e) -> pathTypeRank(e.entry().match().path().type()))
            // 2. A "PathPrefix" path match with the largest number of characters.
            .thenComparing(e -> e.entry().match().path().value().length(), Comparator.reverseOrder())
            // 3. A method match.
            .thenComparing(e -> e.entry().match().method() == null ? 1 : 0)
            // 4. The largest number of header matches.
            .thenComparing(e -> e.entry().match().headers().size(), Comparator.reverseOrder())
            // 5. The largest number of query param matches.
            .thenComparing(e -> e.entry().match().queryParams().size(), Comparator.reverseOrder())
            // 6. Ties across Routes: the oldest Route by creation timestamp (unknown last).
            .thenComparing(RankedEntry::routeCreated, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            // 7. Then the Route first in alphabetical order by "{namespace}/{name}".
            .thenComparing(e -> e.entry().origin().namespace() + "/" + e.entry().origin().name())
            // 8. Ties within a Route: the first matching rule in list order...
            .thenComparingInt(e -> e.entry().origin().ruleIndex())
            // 9. ...and within the rule, the first match in list order.
            .thenComparingInt(e -> e.entry().origin().matchIndex());

    private HttpRulePrecedence() {
    }

    private static int pathTypeRank(PathMatch.Type type) {
        switch (type) {
            case EXACT:
                return 0;
            case REGULAR_EXPRESSION:
                return 1;
            default:
                return 2;
        }
    }
}
