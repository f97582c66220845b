package io.archway.client.canary;

import java.time.Instant;

/**
 * A progress event of a canary run, for live display.
 *
 * @param at           when
 * @param type         what happened
 * @param step         the step position (0-based), -1 before the first and after the last
 * @param canaryWeight the canary's current percentage
 * @param observation  the observation behind the event, when there is one
 * @param message      a human-readable line
 */
public record CanaryEvent(Instant at, Type type, int step, int canaryWeight, StepObservation observation, String message) {

    /** Event types, in the order they usually occur. */
    public enum Type { STARTED, STEP_STARTED, WAITING_FOR_TRAFFIC, STEP_PASSED, BREACH, ROLLED_BACK, ABORTED, PROMOTED }
}
