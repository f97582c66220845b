package io.archway.translate;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An unmodifiable map given as two parallel lists (keys, each once, and their values) whose hash
 * index is built on the first look-up, by whichever thread reads first. The translator hands the
 * routes' status over this way: at 10,000 routes, hashing every route's key into a map on each
 * change was a fifth of a one-route change's translation (issue 14), and the readers (the status
 * view, on its own thread after the swap) are not on the change-to-live path.
 *
 * <p>The lists are the map's: the caller must never change them afterwards.
 *
 * @param <K> keys, with equals and hashCode
 * @param <V> values
 */
public final class IndexedOnRead<K, V> extends AbstractMap<K, V> {
    private final List<K> keys;
    private final List<V> values;
    /** This map's identity for {@link #editOf}, held without holding the map (no chain of maps). */
    private final Object token = new Object();
    /** The token of the map this one is an edit of, or null. */
    private final Object editOf;
    /** Built once; a race builds it twice, each time whole, published through the volatile write. */
    private volatile Map<K, V> index;

    /** @throws IllegalArgumentException when the lists differ in length */
    public IndexedOnRead(List<K> keys, List<V> values) {
        this(keys, values, null);
    }

    /**
     * @param editOf the routes' status of the previous translation when this one edited it in place:
     *     then the values differ from its values only for routes that are other instances in the
     *     view than in the previous one (the edited routes); null otherwise
     */
    public IndexedOnRead(List<K> keys, List<V> values, IndexedOnRead<K, V> editOf) {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException(keys.size() + " keys, " + values.size() + " values");
        }
        this.keys = keys;
        this.values = values;
        this.editOf = editOf == null ? null : editOf.token;
    }

    /**
     * Whether this map is an edit in place of {@code previous}: the value of a route that is the
     * same instance in both translations' views is the same here as there, so a reader that kept
     * what it read of {@code previous} needs to look up only the other routes (the status view, at
     * 10,000 routes: one look-up per edited route, not a hashed index of every route).
     */
    public boolean isEditOf(Map<?, ?> previous) {
        return editOf != null && previous instanceof IndexedOnRead<?, ?> p && p.token == editOf;
    }

    private Map<K, V> index() {
        Map<K, V> m = index;
        if (m == null) {
            m = new HashMap<>(keys.size() * 4 / 3 + 1);
            for (int i = 0; i < keys.size(); i++) {
                m.put(keys.get(i), values.get(i));
            }
            index = m;
        }
        return m;
    }

    @Override
    public V get(Object key) {
        return index().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return index().containsKey(key);
    }

    @Override
    public int size() {
        return keys.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < keys.size();
                    }

                    @Override
                    public Entry<K, V> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        final int at = i++;
                        return new SimpleImmutableEntry<>(keys.get(at), values.get(at));
                    }
                };
            }

            @Override
            public int size() {
                return keys.size();
            }
        };
    }
}
