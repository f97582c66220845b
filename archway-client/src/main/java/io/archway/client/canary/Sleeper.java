package io.archway.client.canary;

import java.time.Duration;

/** Waits; replaced by a fake in tests so a canary runs without real time passing. */
@FunctionalInterface
public interface Sleeper {
    /** {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
