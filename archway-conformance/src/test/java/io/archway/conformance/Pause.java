package io.archway.conformance;

/** The harness's one way to wait between polls: an interrupt ends the test instead of being swallowed. */
final class Pause {
    private Pause() {
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
