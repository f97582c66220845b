package io.archway.translate;

import io.archway.translate.status.Diagnostics;
import java.util.ArrayList;
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
 * <p>A translation asks for its keys in the same order every time (routes in key order), so the
 * previous results are kept in the order they were asked for and looked up by position: the next
 * key is expected at the cursor or a few places after it (an edited route is a new instance and
 * misses; an added or removed one shifts the rest by one). Only when keys keep missing in a row
 * (many objects removed at once) is an identity index of the previous results built. A hit is
 * always the same instance, so a lookup that misses costs a recomputation, never a wrong result;
 * and a one-route change costs a reference comparison per route, not hash look-ups (issue 14).
 *
 * @param <K> what the step reads
 * @param <V> what it produced
 */
public final class Memoized<K, V> {
    /** How far after the cursor a key is looked for before it counts as a miss. */
    private static final int WINDOW = 4;

    private record Entry<K, V>(K key, V value, List<Diagnostic> diagnostics) {
    }

    private List<Entry<K, V>> previous = List.of();
    private ArrayList<Entry<K, V>> current = new ArrayList<>();
    /** Where the next key is expected in {@link #previous}. */
    private int cursor;
    /** Whether the last look-up missed: a second miss in a row builds {@link #index}. */
    private boolean missed;
    /** Position of each previous key; built on demand. */
    private Map<K, Integer> index;
    private int hits;

    /** The value for {@code key}: the previous translation's, else {@code step}'s (recorded). */
    public V get(K key, Diagnostics diagnostics, Supplier<V> step) {
        final Entry<K, V> e = previous(key);
        if (e != null) {
            hits++;
            current.add(e);
            diagnostics.addAll(e.diagnostics());
            return e.value();
        }
        final int mark = diagnostics.size();
        final V value = step.get();
        current.add(new Entry<>(key, value, diagnostics.since(mark)));
        return value;
    }

    private Entry<K, V> previous(K key) {
        for (int d = 0; d < WINDOW && cursor + d < previous.size(); d++) {
            final Entry<K, V> e = previous.get(cursor + d);
            if (e.key() == key) {
                cursor += d + 1;
                missed = false;
                return e;
            }
        }
        if (missed && index == null) {
            index = new IdentityHashMap<>(previous.size());
            for (int i = 0; i < previous.size(); i++) {
                index.put(previous.get(i).key(), i);
            }
        }
        missed = true;
        final Integer at = index == null ? null : index.get(key);
        if (at == null) {
            return null;
        }
        cursor = at + 1;
        missed = false;
        return previous.get(at);
    }

    /** Ends a translation: what it asked for is what the next one may reuse. */
    public void roll() {
        previous = current;
        current = new ArrayList<>(previous.size()); // sized once, not grown step by step
        restart();
    }

    /** Forgets everything (an input that every entry depends on changed). */
    public void clear() {
        previous = List.of();
        current = new ArrayList<>();
        restart();
    }

    private void restart() {
        cursor = 0;
        missed = false;
        index = null;
        hits = 0;
    }

    /** Hits since the last {@link #roll}. */
    public int hits() {
        return hits;
    }
}
