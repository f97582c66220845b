package io.archway.translate.compile;

import io.archway.snapshot.RouteOrigin;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The whole GRPCRoute match precedence (GRPCRouteRule.matches) as named steps, like
 * {@link HttpRulePrecedence}: the compiler sorts by {@link #ORDER}, explain names the
 * {@link #decidingStep}. The hostname criteria are the virtual host's (most specific hostname
 * first); within one, precedence goes to the largest number of characters in a matching service,
 * then in a matching method, then the most header matches; across routes the oldest, then the
 * first by "{namespace}/{name}"; within a route the first rule, then the first match.
 */
public final class GrpcRulePrecedence {
    public static final List<HttpRulePrecedence.Step> STEPS = List.of(
            new HttpRulePrecedence.Step("service length",
                    Comparator.comparing((RankedEntry e) -> e.grpc().serviceChars()).reversed(),
                    (w, l) -> w.grpc().serviceChars() + " service characters beat " + l.grpc().serviceChars()),
            new HttpRulePrecedence.Step("method length",
                    Comparator.comparing((RankedEntry e) -> e.grpc().methodChars()).reversed(),
                    (w, l) -> w.grpc().methodChars() + " method characters beat " + l.grpc().methodChars()),
            new HttpRulePrecedence.Step("header matches",
                    Comparator.comparing((RankedEntry e) -> e.entry().match().headers().size()).reversed(),
                    (w, l) -> w.entry().match().headers().size() + " vs " + l.entry().match().headers().size()),
            new HttpRulePrecedence.Step("route age", Comparator.comparing(RankedEntry::routeCreated,
                    Comparator.nullsLast(Comparator.<Instant>naturalOrder())),
                    (w, l) -> "created " + w.routeCreated() + ", before "
                            + (l.routeCreated() == null ? "an unknown time" : l.routeCreated())),
            new HttpRulePrecedence.Step("route name", Comparator.comparing(e -> name(e.entry().origin())),
                    (w, l) -> name(w.entry().origin()) + " before " + name(l.entry().origin())),
            new HttpRulePrecedence.Step("rule order", Comparator.comparingInt(e -> e.entry().origin().ruleIndex()),
                    (w, l) -> "rule " + w.entry().origin().ruleIndex() + " before rule " + l.entry().origin().ruleIndex()),
            new HttpRulePrecedence.Step("match order", Comparator.comparingInt(e -> e.entry().origin().matchIndex()),
                    (w, l) -> "match " + w.entry().origin().matchIndex() + " before match "
                            + l.entry().origin().matchIndex()));

    /** Higher-ranked first: the steps chained. */
    public static final Comparator<RankedEntry> ORDER = HttpRulePrecedence.chain(STEPS);

    private GrpcRulePrecedence() {
    }

    /** The first step that tells {@code a} from {@code b}, or null when no step does (the same entry). */
    public static HttpRulePrecedence.Step decidingStep(RankedEntry a, RankedEntry b) {
        return HttpRulePrecedence.decidingStep(STEPS, a, b);
    }

    private static String name(RouteOrigin o) {
        return o.namespace() + "/" + o.name();
    }
}
