package io.archway.proxy.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;

/**
 * Picks one of a fixed list of items at random in proportion to its weight; an item of weight 0
 * is never picked. The one weighted pick of the data plane: HTTP rules pick a backend per request,
 * TCP routes per connection, UDP routes per client session. Immutable, lock-free, safe to share
 * between event loops.
 *
 * @param <T> the item, e.g. a compiled backend
 */
public final class WeightedChoice<T> {
    private final Object[] items;
    /** Cumulative weights: item i is picked for r in [cumulative[i-1], cumulative[i]). */
    private final int[] cumulative;
    private final int totalWeight;

    /** @param weight an item's weight, >= 0; the sum is capped at Integer.MAX_VALUE */
    public WeightedChoice(List<? extends T> items, ToIntFunction<? super T> weight) {
        this.items = items.toArray();
        this.cumulative = new int[this.items.length];
        long total = 0;
        for (int i = 0; i < this.items.length; i++) {
            final int w = weight.applyAsInt(items.get(i));
            if (w < 0) {
                throw new IllegalArgumentException("weight must be >= 0: " + w);
            }
            total = Math.min(total + w, Integer.MAX_VALUE);
            cumulative[i] = (int) total;
        }
        this.totalWeight = (int) total;
    }

    /** Whether {@link #pick} can return an item: some item has a weight above 0. */
    public boolean any() {
        return totalWeight > 0;
    }

    /** An item chosen by weight; null when there are no items or every weight is 0. */
    @SuppressWarnings("unchecked")
    public T pick() {
        if (totalWeight <= 0) {
            return null;
        }
        final int r = ThreadLocalRandom.current().nextInt(totalWeight);
        // Few backends per rule: a linear scan beats a binary search here.
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return (T) items[i];
            }
        }
        return (T) items[items.length - 1];
    }
}
