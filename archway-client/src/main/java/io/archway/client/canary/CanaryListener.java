package io.archway.client.canary;

/** Receives the progress events of a canary run; called on the runner's thread. */
@FunctionalInterface
public interface CanaryListener {
    /** Ignores every event. */
    CanaryListener NONE = e -> {};

    void onEvent(CanaryEvent event);
}
