package io.archway.client.canary;

import java.util.List;

/**
 * How a canary run ended.
 *
 * @param outcome            promoted, rolled back or aborted
 * @param reason             why, in words
 * @param observations       every observation window, in order
 * @param finalCanaryWeight  the canary's percentage left in place
 */
public record CanaryResult(CanaryOutcome outcome, String reason, List<StepObservation> observations, int finalCanaryWeight) {
    public CanaryResult {
        observations = List.copyOf(observations);
    }

    /** True only for {@link CanaryOutcome#PROMOTED}. */
    public boolean promoted() {
        return outcome == CanaryOutcome.PROMOTED;
    }
}
