package io.archway.translate.compile;

import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.RouteOrigin;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The whole HTTPRoute match precedence (HTTPRouteRule.matches) as one list of named steps: the
 * compiler sorts by {@link #ORDER} (the steps chained), and explain names the {@link #decidingStep}
 * between the winner and each loser. An entry that sorts first wins. Sorting is total, so no
 * stable sort or input order is relied upon.
 */
public final class HttpRulePrecedence {
    /**
     * One step of the precedence.
     *
     * @param name what the step compares, e.g. {@code path match type}
     * @param order negative when the first entry wins this step, 0 when the step does not decide
     * @param why for an entry that wins this step over another, the reason in words
     */
    public record Step(String name, Comparator<RankedEntry> order, BiFunction<RankedEntry, RankedEntry, String> why) {
    }

    /** The steps in the spec's order; everything after the fifth only breaks ties. */
    public static final List<Step> STEPS = List.of(
            // 1. An "Exact" path match beats any other; RegularExpression (implementation-specific
            //    precedence) we place between Exact and PathPrefix, as Envoy Gateway does.
            new Step("path match type", Comparator.comparingInt(e -> pathTypeRank(match(e).path().type())),
                    (w, l) -> type(match(w).path().type()) + " beats " + type(match(l).path().type())),
            // 2. A "PathPrefix" path match with the largest number of characters.
            new Step("path length", Comparator.comparing((RankedEntry e) -> match(e).path().value().length())
                    .reversed(), (w, l) -> match(w).path().value() + " (" + match(w).path().value().length() + " characters) beats "
                    + match(l).path().value() + " (" + match(l).path().value().length() + ")"),
            // 3. A method match.
            new Step("method match", Comparator.comparingInt(e -> match(e).method() == null ? 1 : 0),
                    (w, l) -> match(w).method() + " beats none"),
            // 4. The largest number of header matches.
            new Step("header matches", Comparator.comparing((RankedEntry e) -> match(e).headers().size()).reversed(),
                    (w, l) -> match(w).headers().size() + " vs " + match(l).headers().size()),
            // 5. The largest number of query param matches.
            new Step("query param matches", Comparator.comparing((RankedEntry e) -> match(e).queryParams().size())
                    .reversed(), (w, l) -> match(w).queryParams().size() + " vs " + match(l).queryParams().size()),
            // 6. Ties across Routes: the oldest Route by creation timestamp, compared as instants
            //    (an unknown or unparsable timestamp last).
            new Step("route age", Comparator.comparing(RankedEntry::routeCreated,
                    Comparator.nullsLast(Comparator.<Instant>naturalOrder())),
                    (w, l) -> "created " + w.routeCreated() + ", before "
                            + (l.routeCreated() == null ? "an unknown time" : l.routeCreated())),
            // 7. Then the Route first in alphabetical order by "{namespace}/{name}".
            new Step("route name", Comparator.comparing(e -> qualifiedName(origin(e))),
                    (w, l) -> qualifiedName(origin(w)) + " before " + qualifiedName(origin(l))),
            // 8. Ties within a Route: the first matching rule in list order...
            new Step("rule order", Comparator.comparingInt(e -> origin(e).ruleIndex()),
                    (w, l) -> "rule " + origin(w).ruleIndex() + " before rule " + origin(l).ruleIndex()),
            // 9. ...and within the rule, the first match in list order.
            new Step("match order", Comparator.comparingInt(e -> origin(e).matchIndex()),
                    (w, l) -> "match " + origin(w).matchIndex() + " before match " + origin(l).matchIndex()));

    /** Higher-ranked first: the steps chained. */
    public static final Comparator<RankedEntry> ORDER = chain(STEPS);

    private HttpRulePrecedence() {
    }

    /** The first step that tells {@code a} from {@code b}, or null when no step does (the same entry). */
    public static Step decidingStep(RankedEntry a, RankedEntry b) {
        return decidingStep(STEPS, a, b);
    }

    /** The first of {@code steps} that tells {@code a} from {@code b}, or null (shared with GRPCRoute's steps). */
    static Step decidingStep(List<Step> steps, RankedEntry a, RankedEntry b) {
        for (Step s : steps) {
            if (s.order().compare(a, b) != 0) {
                return s;
            }
        }
        return null;
    }

    /** {@code steps} chained in order into one comparator (shared with GRPCRoute's steps). */
    static Comparator<RankedEntry> chain(List<Step> steps) {
        Comparator<RankedEntry> c = steps.get(0).order();
        for (int i = 1; i < steps.size(); i++) {
            c = c.thenComparing(steps.get(i).order());
        }
        return c;
    }

    private static HttpRequestMatch match(RankedEntry e) {
        return e.entry().match();
    }

    private static RouteOrigin origin(RankedEntry e) {
        return e.entry().origin();
    }

    private static String qualifiedName(RouteOrigin o) {
        return o.namespace() + "/" + o.name();
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

    private static String type(PathMatch.Type t) {
        switch (t) {
            case EXACT:
                return "Exact";
            case REGULAR_EXPRESSION:
                return "RegularExpression";
            default:
                return "PathPrefix";
        }
    }
}
