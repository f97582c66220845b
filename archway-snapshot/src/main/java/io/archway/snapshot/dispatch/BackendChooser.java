package io.archway.snapshot.dispatch;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The weighted backend pick of a rule, injected into {@link CompiledPort#decide}: the data plane
 * picks at random ({@link #RANDOM}), {@code archway explain} asks for each candidate in turn
 * ({@link #only}) and reports them all with their shares.
 */
@FunctionalInterface
public interface BackendChooser {
    /**
     * The index of the chosen backend; called only when some weight is above 0, and must return
     * the index of a backend whose weight is above 0.
     */
    int choose(BackendWeights weights);

    /** In proportion to weight; a weight of 0 is never picked. */
    BackendChooser RANDOM = w -> w.at(ThreadLocalRandom.current().nextInt(w.total()));

    /** Always the backend at {@code index} (which must have a weight above 0). */
    static BackendChooser only(int index) {
        return w -> index;
    }
}
