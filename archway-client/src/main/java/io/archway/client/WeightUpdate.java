package io.archway.client;

import java.util.List;

/**
 * The outcome of {@link ArchwayClient#setWeights}: which rule was edited and every backendRef of it.
 *
 * @param route     the route edited
 * @param ruleIndex the position of the rule
 * @param ruleName  the rule's name, null when unnamed
 * @param backends  every backendRef of the rule, in order
 */
public record WeightUpdate(RouteRef route, int ruleIndex, String ruleName, List<BackendWeight> backends) {
    public WeightUpdate {
        backends = List.copyOf(backends);
    }

    /** Whether any weight actually changed value. */
    public boolean anyChange() {
        return backends.stream().anyMatch(b -> b.before() == null ? b.changed() : b.before() != b.after());
    }
}
