package io.archway.client.canary;

/** How a canary run ended. */
public enum CanaryOutcome {
    /** Every step passed; the canary carries the last step's share. */
    PROMOTED,
    /** A step breached a limit (or could not be judged); traffic is back at 100% stable. */
    ROLLED_BACK,
    /** Someone asked to stop; traffic is back at 100% stable. */
    ABORTED
}
