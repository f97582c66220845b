package io.archway.translate;

import io.archway.translate.status.Diagnostics;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One step's results of the previous translation, keyed by the identity of what the step read
 * (an unchanged object is the same instance from one view to the next), with the diagnostics the
 * step reported, which a hit reports again. Entries not asked for in a translation are dropped
 * after it ({@link #roll}), so deleted objects do not linger.
 *
 * @param <K> what the step reads
 * @param <V> what it produced
 */
public final class Memoized<K, V> {
    private record Entry<V>(V value, List<io.archway.translate.Diagnostic> diagnostics) {
    }

    private Map<K, Entry<V>> previous = new IdentityHashMap<>();
    private Map<K, Entry<V>> current = new IdentityHashMap<>();
    private int hits;

    /** The value for {@code key}: the previous translation's, else {@code step}'s (recorded). */
    public V get(K key, Diagnostics diagnostics, Supplier<V> step) {
        Entry<V> e = current.get(key);
        if (e == null) {
            e = previous.get(key);
            if (e != null) {
                hits++;
            } else {
                final int mark = diagnostics.size();
                final V value = step.get();
                e = new Entry<>(value, diagnostics.since(mark));
                current.put(key, e);
                return value;
            }
            current.put(key, e);
        }
        diagnostics.addAll(e.diagnostics());
        return e.value();
    }

    /** Ends a translation: what it asked for is what the next one may reuse. */
    public void roll() {
        previous = current;
        current = new IdentityHashMap<>();
        hits = 0;
    }

    /** Forgets everything (an input that every entry depends on changed). */
    public void clear() {
        previous = new IdentityHashMap<>();
        current = new IdentityHashMap<>();
    }

    /** Hits since the last {@link #roll}. */
    public int hits() {
        return hits;
    }
}
