package io.archway.proxy.http.h1;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The header fields of a request head as {@link RequestHeadParser} read them: the head's bytes and,
 * per field line, where its name and (trimmed) value are. Nothing is decoded into objects up front.
 * Reads compare bytes; removing a received field marks it; fields set or added afterwards (hop-by-hop
 * rewrites, filters, X-Forwarded-*) live in a small validating {@link DefaultHttpHeaders} that
 * follows the received ones, which is the order Netty's headers give too (a set field moves to the
 * end). The encoder iterates names and values as {@link AsciiString} views of the received bytes, so
 * a kept field line is written by array copies: the received bytes, re-encoded only when edited.
 *
 * <p>The received fields were validated by the parser (token names, values without CTLs), as
 * Netty's validating headers would have.
 */
public final class FieldLines extends HttpHeaders {
    private final byte[] head;
    /** Per received field: name start, name end, value start, value end (indices into head). */
    private final int[] at;
    private final int count;
    private boolean[] removed;
    private int removedCount;
    /** Fields set or added after parsing (validating, in insertion order); null until the first. */
    private DefaultHttpHeaders added;

    FieldLines(byte[] head, int[] at, int count) {
        this.head = head;
        this.at = at;
        this.count = count;
    }

    /** Whether any received field was removed or a field added since parsing. */
    public boolean edited() {
        return removedCount > 0 || added != null && !added.isEmpty();
    }

    private boolean live(int i) {
        return removed == null || !removed[i];
    }

    private boolean nameIs(int i, CharSequence name) {
        final int start = at[i * 4];
        final int len = at[i * 4 + 1] - start;
        if (name.length() != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            final int a = head[start + k];
            final int b = name.charAt(k);
            if (a != b && toLower(a) != toLower(b)) {
                return false;
            }
        }
        return true;
    }

    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private AsciiString name(int i) {
        return new AsciiString(head, at[i * 4], at[i * 4 + 1] - at[i * 4], false);
    }

    private AsciiString value(int i) {
        return new AsciiString(head, at[i * 4 + 2], at[i * 4 + 3] - at[i * 4 + 2], false);
    }

    private String valueString(int i) {
        return new String(head, 0, at[i * 4 + 2], at[i * 4 + 3] - at[i * 4 + 2]);
    }

    private void markRemoved(int i) {
        if (removed == null) {
            removed = new boolean[count];
        }
        if (!removed[i]) {
            removed[i] = true;
            removedCount++;
        }
    }

    private DefaultHttpHeaders added() {
        if (added == null) {
            added = (DefaultHttpHeaders) DefaultHttpHeadersFactory.headersFactory().newHeaders();
        }
        return added;
    }

    // ---- reads ------------------------------------------------------------------------------------

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                return valueString(i);
            }
        }
        return added == null ? null : added.get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        final String v = get(name);
        try {
            return v == null ? null : Integer.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        final Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        final String v = get(name);
        try {
            return v == null ? null : Short.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        final Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return copy().getTimeMillis(name);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        final Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<String> out = null;
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(valueString(i));
            }
        }
        if (added != null) {
            final List<String> more = added.getAll(name);
            if (!more.isEmpty()) {
                if (out == null) {
                    return more;
                }
                out.addAll(more);
            }
        }
        return out == null ? List.of() : out;
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        List<CharSequence> out = null;
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(value(i));
            }
        }
        if (added != null) {
            final Iterator<? extends CharSequence> more = added.valueCharSequenceIterator(name);
            while (more.hasNext()) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(more.next());
            }
        }
        return out == null ? java.util.Collections.emptyIterator() : out.iterator();
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        final List<Map.Entry<String, String>> out = new ArrayList<>(size());
        final Iterator<Map.Entry<String, String>> it = iterator();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                return true;
            }
        }
        return added != null && added.contains(name);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return count - removedCount + (added == null ? 0 : added.size());
    }

    @Override
    public Set<String> names() {
        final Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            if (live(i)) {
                out.add(name(i).toString());
            }
        }
        if (added != null) {
            out.addAll(added.names());
        }
        return out;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<String, String> next() {
                final Map.Entry<CharSequence, CharSequence> e = it.next();
                return new AbstractMap.SimpleImmutableEntry<>(e.getKey().toString(), e.getValue().toString());
            }
        };
    }

    /** Received fields still present, in order, then the added ones: views, no copy. */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next = advance(0);
            private Iterator<Map.Entry<CharSequence, CharSequence>> rest;

            private int advance(int from) {
                int i = from;
                while (i < count && !live(i)) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                if (next < count) {
                    return true;
                }
                if (rest == null) {
                    rest = added == null ? java.util.Collections.emptyIterator() : added.iteratorCharSequence();
                }
                return rest.hasNext();
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next < count) {
                    final int i = next;
                    next = advance(i + 1);
                    return new AbstractMap.SimpleImmutableEntry<>(name(i), value(i));
                }
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return rest.next();
            }
        };
    }

    // ---- edits ------------------------------------------------------------------------------------

    @Override
    public HttpHeaders add(String name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        added().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        added().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        added().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        added().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        removeReceived(name);
        added().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        removeReceived(name);
        added().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        removeReceived(name);
        added().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        removeReceived(name);
        added().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeReceived(name);
        if (added != null) {
            added.remove(name);
        }
        return this;
    }

    private void removeReceived(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                markRemoved(i);
            }
        }
    }

    @Override
    public HttpHeaders clear() {
        for (int i = 0; i < count; i++) {
            markRemoved(i);
        }
        if (added != null) {
            added.clear();
        }
        return this;
    }

    @Override
    public HttpHeaders copy() {
        final DefaultHttpHeaders out = (DefaultHttpHeaders) DefaultHttpHeadersFactory.headersFactory()
                .withValidation(false).newHeaders();
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(e.getKey(), e.getValue().toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return "FieldLines" + Arrays.toString(entries().toArray());
    }
}
