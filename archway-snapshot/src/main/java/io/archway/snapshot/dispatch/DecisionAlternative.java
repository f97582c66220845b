package io.archway.snapshot.dispatch;

/**
 * One of the decisions a request can get, with its share of such requests: a rule whose answer
 * depends on the weighted pick has one per backend of weight above 0 (for explain).
 *
 * @param weight the backend's weight; the whole for a decision that does not depend on the pick
 * @param totalWeight the sum of the rule's weights (equal to {@code weight} when not weighted)
 */
public record DecisionAlternative<R>(RouteDecision<R> decision, int weight, int totalWeight) {
    /** The share of the requests in percent. */
    public double percent() {
        return totalWeight == 0 ? 100.0 : 100.0 * weight / totalWeight;
    }
}
