package io.archway.translate;

import io.archway.translate.status.Diagnostics;
import java.util.Arrays;
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
 * <p>Keys, values and diagnostics are kept in parallel arrays (no diagnostics: null), so that a
 * hit reads three array slots in sequence and dereferences nothing of the route's own objects: at
 * 10,000 routes, a record per entry cost a cache miss per route and step on every change.
 *
 * @param <K> what the step reads
 * @param <V> what it produced
 */
public final class Memoized<K, V> {
    /** How far after the cursor a key is looked for before it counts as a miss. */
    private static final int WINDOW = 4;
    private static final Object[] NONE = new Object[0];

    /** The previous translation's keys, values and diagnostics (null for none), {@link #size} of them. */
    private Object[] keys = NONE;
    private Object[] values = NONE;
    private Object[] diagnostics = NONE;
    private int size;
    /** This translation's, {@link #nextSize} of them. */
    private Object[] nextKeys = NONE;
    private Object[] nextValues = NONE;
    private Object[] nextDiagnostics = NONE;
    private int nextSize;
    /** Where the next key is expected in the previous keys. */
    private int cursor;
    /** Whether the last look-up missed: a second miss in a row builds {@link #index}. */
    private boolean missed;
    /** Position of each previous key; built on demand. */
    private Map<Object, Integer> index;
    private int hits;

    /** The value for {@code key}: the previous translation's, else {@code step}'s (recorded). */
    @SuppressWarnings("unchecked")
    public V get(K key, Diagnostics diagnostics, Supplier<V> step) {
        final int at = previous(key);
        if (at >= 0) {
            hits++;
            final List<Diagnostic> reported = (List<Diagnostic>) this.diagnostics[at];
            if (reported != null) {
                diagnostics.addAll(reported);
            }
            final V value = (V) values[at];
            record(key, value, reported);
            return value;
        }
        final int mark = diagnostics.size();
        final V value = step.get();
        record(key, value, diagnostics.size() == mark ? null : diagnostics.since(mark));
        return value;
    }

    private void record(Object key, Object value, List<Diagnostic> reported) {
        if (nextSize == nextKeys.length) {
            final int grown = Math.max(16, nextSize + (nextSize >> 1));
            nextKeys = Arrays.copyOf(nextKeys, grown);
            nextValues = Arrays.copyOf(nextValues, grown);
            nextDiagnostics = Arrays.copyOf(nextDiagnostics, grown);
        }
        nextKeys[nextSize] = key;
        nextValues[nextSize] = value;
        nextDiagnostics[nextSize] = reported;
        nextSize++;
    }

    /** The position of {@code key} among the previous keys, or -1. */
    private int previous(Object key) {
        for (int d = 0; d < WINDOW && cursor + d < size; d++) {
            if (keys[cursor + d] == key) {
                cursor += d + 1;
                missed = false;
                return cursor - 1;
            }
        }
        if (missed && index == null) {
            index = new IdentityHashMap<>(size);
            for (int i = 0; i < size; i++) {
                index.put(keys[i], i);
            }
        }
        missed = true;
        final Integer at = index == null ? null : index.get(key);
        if (at == null) {
            return -1;
        }
        cursor = at + 1;
        missed = false;
        return at;
    }

    /**
     * Ends a translation: what it asked for is what the next one may reuse. The arrays of the
     * translation before become the next one's (cleared), so a change allocates none.
     */
    public void roll() {
        final Object[] k = keys;
        final Object[] v = values;
        final Object[] d = diagnostics;
        keys = nextKeys;
        values = nextValues;
        diagnostics = nextDiagnostics;
        size = nextSize;
        Arrays.fill(k, null);
        Arrays.fill(v, null);
        Arrays.fill(d, null);
        nextKeys = k.length >= size ? k : new Object[size];
        nextValues = v.length >= size ? v : new Object[size];
        nextDiagnostics = d.length >= size ? d : new Object[size];
        nextSize = 0;
        restart();
    }

    /** Forgets everything (an input that every entry depends on changed). */
    public void clear() {
        keys = NONE;
        values = NONE;
        diagnostics = NONE;
        size = 0;
        nextKeys = NONE;
        nextValues = NONE;
        nextDiagnostics = NONE;
        nextSize = 0;
        restart();
    }

    private void restart() {
        cursor = 0;
        missed = false;
        index = null;
        hits = 0;
    }

    /** How a key differs from the previous translation's keys ({@link #changes}). */
    public enum ChangeKind { EDITED, ADDED, REMOVED }

    /**
     * One key that differs from the previous translation's keys.
     *
     * @param previous its position in the previous keys (EDITED, REMOVED), or where it goes among
     *     them (ADDED: before the previous key at that position)
     * @param next its position in the new keys, -1 when REMOVED
     */
    public record Change(ChangeKind kind, int previous, int next) {
    }

    /**
     * How {@code keys} differ from the previous translation's keys, both in {@code order} (each key
     * once): the keys that are other instances than the previous one at their place (EDITED, when
     * {@code order} ties them), and those added and removed, in order; null when more than
     * {@code limit} differ. What an edit in place recomputes ({@link TranslationMemo}). Reads two
     * arrays of references, and of the keys only those that differ, to place them by {@code order}.
     */
    @SuppressWarnings("unchecked")
    public List<Change> changes(List<? extends K> keys, int limit, java.util.Comparator<? super K> order) {
        final List<Change> out = new java.util.ArrayList<>(4);
        int i = 0;
        int j = 0;
        while (i < size || j < keys.size()) {
            if (i < size && j < keys.size() && keys.get(j) == this.keys[i]) {
                i++;
                j++;
                continue;
            }
            if (out.size() == limit) {
                return null;
            }
            final int c = i == size ? 1 : j == keys.size() ? -1 : order.compare((K) this.keys[i], keys.get(j));
            if (c == 0) {
                out.add(new Change(ChangeKind.EDITED, i++, j++));
            } else if (c < 0) {
                out.add(new Change(ChangeKind.REMOVED, i++, -1));
            } else {
                out.add(new Change(ChangeKind.ADDED, i, j++));
            }
        }
        return out;
    }

    /** How many results the previous translation left. */
    public int size() {
        return size;
    }

    /** The previous translation's key at {@code position}. */
    @SuppressWarnings("unchecked")
    public K keyAt(int position) {
        return (K) keys[position];
    }

    /** The diagnostics the previous translation's step reported at {@code position}. */
    @SuppressWarnings("unchecked")
    public List<Diagnostic> reportedAt(int position) {
        return diagnostics[position] == null ? List.of() : (List<Diagnostic>) diagnostics[position];
    }

    /** The previous translation's value at {@code position}. */
    @SuppressWarnings("unchecked")
    public V valueAt(int position) {
        return (V) values[position];
    }

    /**
     * Applies {@code changes} ({@link #changes}, in their order) to the previous translation's
     * results, for an edit in place, which keeps them as the next translation's (no {@link #roll}):
     * the i-th change's key, value and diagnostics are {@code keys}', {@code values}' and
     * {@code reported}'s i-th (unread for a REMOVED one). The arrays are shifted where they are
     * (grown when an addition needs it), so a change allocates nothing but what it adds.
     */
    public void splice(List<Change> changes, List<? extends K> keys, List<? extends V> values,
                       List<List<Diagnostic>> reported) {
        int grown = size; // at most, on the way (the additions may be shifted in before the removals)
        for (Change c : changes) {
            grown += c.kind() == ChangeKind.ADDED ? 1 : 0;
        }
        if (grown > this.keys.length) {
            final int capacity = grown + (grown >> 3);
            this.keys = Arrays.copyOf(this.keys, capacity);
            this.values = Arrays.copyOf(this.values, capacity);
            this.diagnostics = Arrays.copyOf(this.diagnostics, capacity);
        }
        // Last to first: a change's previous position is not moved by those before it.
        for (int k = changes.size() - 1; k >= 0; k--) {
            final Change c = changes.get(k);
            final int at = c.previous();
            if (c.kind() == ChangeKind.REMOVED) {
                shift(at + 1, at);
                continue;
            }
            if (c.kind() == ChangeKind.ADDED) {
                shift(at, at + 1);
            }
            this.keys[at] = keys.get(k);
            this.values[at] = values.get(k);
            this.diagnostics[at] = reported.get(k).isEmpty() ? null : reported.get(k);
        }
        restart();
    }

    /** Moves the previous results from {@code from} to the end to {@code to}; {@link #size} follows. */
    private void shift(int from, int to) {
        System.arraycopy(keys, from, keys, to, size - from);
        System.arraycopy(values, from, values, to, size - from);
        System.arraycopy(diagnostics, from, diagnostics, to, size - from);
        size += to - from;
        if (to < from) { // removed: the freed slot at the end holds nothing
            keys[size] = null;
            values[size] = null;
            diagnostics[size] = null;
        }
    }


    /** Reports the diagnostics of every previous entry again, in order (an edit in place's translation). */
    @SuppressWarnings("unchecked")
    public void reportAll(Diagnostics into) {
        for (int i = 0; i < size; i++) {
            if (diagnostics[i] != null) {
                into.addAll((List<Diagnostic>) diagnostics[i]);
            }
        }
    }

    /** Hits since the last {@link #roll}. */
    public int hits() {
        return hits;
    }
}
