package io.archway.client.canary;

/** The judgement of one observation window. */
public enum Verdict {
    PASSED,
    /** Fewer requests than the plan's minimum: no judgement, the step does not advance. */
    INSUFFICIENT_TRAFFIC,
    BREACH
}
