package io.archway.snapshot.dispatch;

import io.archway.snapshot.WeightedBackend;
import java.util.List;

/** The weights of a rule's backends, summed once: what a {@link BackendChooser} picks from. */
public final class BackendWeights {
    /** Backend i covers the points [cumulative[i-1], cumulative[i]). */
    private final int[] cumulative;
    private final int total;

    BackendWeights(List<WeightedBackend> backends) {
        this.cumulative = new int[backends.size()];
        long sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
            sum = Math.min(sum + backends.get(i).weight(), Integer.MAX_VALUE);
            cumulative[i] = (int) sum;
        }
        this.total = (int) sum;
    }

    public int size() {
        return cumulative.length;
    }

    /** The sum of the weights (capped at Integer.MAX_VALUE). */
    public int total() {
        return total;
    }

    /** The weight of backend {@code i} as it counts (after capping). */
    public int weight(int i) {
        return cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
    }

    /** The backend covering {@code point}, 0 <= point < {@link #total()}; never one of weight 0. */
    public int at(int point) {
        // Few backends per rule: a linear scan beats a binary search here.
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) {
                return i;
            }
        }
        throw new IllegalArgumentException("point " + point + " outside [0, " + total + ")");
    }
}
