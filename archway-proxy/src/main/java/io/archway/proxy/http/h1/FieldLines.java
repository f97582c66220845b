package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
 * rewrites, filters, X-Forwarded-*) are validated as Netty's headers validate them and follow the
 * received ones, which is the order Netty's headers give too (a set field moves to the
 * end). The encoder iterates names and values as {@link AsciiString} views of the received bytes, so
 * a kept field line is written by array copies: the received bytes, re-encoded only when edited.
 *
 * <p>The received fields were validated by the parser (token names, values without CTLs), as
 * Netty's validating headers would have.
 */
public final class FieldLines extends HttpHeaders {
    private static final DefaultHttpHeadersFactory VALIDATING = DefaultHttpHeadersFactory.headersFactory();
    private static final int COLON_SP = (':' << 8) | ' ';
    private static final int CRLF = ('\r' << 8) | '\n';
    private final byte[] head;
    /** Per received field: name start, name end, value start, value end (indices into head). */
    private final int[] at;
    private final int count;
    private boolean[] removed;
    private int removedCount;
    /** Fields set or added after parsing, in insertion order (validated as Netty's headers validate). */
    private CharSequence[] addedNames;
    private CharSequence[] addedValues;
    private int addedCount;

    FieldLines(byte[] head, int[] at, int count) {
        this.head = head;
        this.at = at;
        this.count = count;
    }

    /** The received head's bytes (the parser's copy). */
    byte[] head() {
        return head;
    }

    /** Whether any received field was removed or a field added since parsing. */
    public boolean edited() {
        return removedCount > 0 || addedCount > 0;
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
            if (a != b && Ascii.toLower(a) != Ascii.toLower(b)) {
                return false;
            }
        }
        return true;
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

    private void append(CharSequence name, Object value) {
        VALIDATING.getNameValidator().validateName(name);
        final CharSequence v = value instanceof CharSequence cs ? cs : String.valueOf(value);
        VALIDATING.getValueValidator().validate(v);
        if (addedNames == null) {
            addedNames = new CharSequence[4];
            addedValues = new CharSequence[4];
        } else if (addedCount == addedNames.length) {
            addedNames = Arrays.copyOf(addedNames, addedCount * 2);
            addedValues = Arrays.copyOf(addedValues, addedCount * 2);
        }
        addedNames[addedCount] = name;
        addedValues[addedCount] = v;
        addedCount++;
    }

    private void removeAdded(CharSequence name) {
        int kept = 0;
        for (int i = 0; i < addedCount; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(addedNames[i], name)) {
                addedNames[kept] = addedNames[i];
                addedValues[kept] = addedValues[i];
                kept++;
            }
        }
        for (int i = kept; i < addedCount; i++) {
            addedNames[i] = null;
            addedValues[i] = null;
        }
        addedCount = kept;
    }

    // ---- reads ------------------------------------------------------------------------------------

    /**
     * The first field named {@code name} at or after position {@code from}, -1 if none: positions
     * below {@code count} are received fields (removed ones skipped), {@code count} + i is the i-th
     * added one, the order Netty's headers give. Every read by name walks the fields through this.
     */
    private int find(CharSequence name, int from) {
        for (int i = from; i < count; i++) {
            if (live(i) && nameIs(i, name)) {
                return i;
            }
        }
        for (int i = Math.max(from, count) - count; i < addedCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(addedNames[i], name)) {
                return count + i;
            }
        }
        return -1;
    }

    /** The value at a position {@link #find} gave: a view of the received bytes, or the added value. */
    private CharSequence valueAt(int k) {
        return k < count ? value(k) : addedValues[k - count];
    }

    private String valueStringAt(int k) {
        return k < count ? valueString(k) : addedValues[k - count].toString();
    }

    /** How many fields are named {@code name}: no list, no view. */
    public int count(CharSequence name) {
        int n = 0;
        for (int k = find(name, 0); k >= 0; k = find(name, k + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Whether a field named {@code name} lists {@code value} among its comma-separated, trimmed
     * elements (Netty's rule), compared on the bytes.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = 0; i < count; i++) {
            if (live(i) && nameIs(i, name) && listContains(at[i * 4 + 2], at[i * 4 + 3], value, ignoreCase)) {
                return true;
            }
        }
        return addedCount > 0 && super.containsValue(name, value, ignoreCase);
    }

    private boolean listContains(int from, int to, CharSequence value, boolean ignoreCase) {
        int i = from;
        while (i <= to) {
            int end = i;
            while (end < to && head[end] != ',') {
                end++;
            }
            int s = i;
            int e = end;
            while (s < e && (head[s] & 0xff) <= ' ') {
                s++;
            }
            while (e > s && (head[e - 1] & 0xff) <= ' ') {
                e--;
            }
            if (e - s == value.length() && regionEquals(s, value, ignoreCase)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }

    private boolean regionEquals(int from, CharSequence value, boolean ignoreCase) {
        for (int k = 0; k < value.length(); k++) {
            final int a = head[from + k] & 0xff;
            final int b = value.charAt(k);
            if (a != b && (!ignoreCase || Ascii.toLower(a) != Ascii.toLower(b))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A test of field names, in both forms a {@link FieldLines} holds them: received names as bytes
     * of the head (ASCII, any case) and added names as text. One rule, so both forms must agree.
     */
    public interface NameTest {
        boolean test(byte[] bytes, int start, int length);

        boolean test(CharSequence name);
    }

    /** Removes every field whose name {@code test} accepts: one pass over the received names. */
    public void removeIf(NameTest test) {
        for (int i = 0; i < count; i++) {
            if (live(i) && test.test(head, at[i * 4], at[i * 4 + 1] - at[i * 4])) {
                markRemoved(i);
            }
        }
        if (addedCount == 0) {
            return;
        }
        int kept = 0;
        for (int i = 0; i < addedCount; i++) {
            if (!test.test(addedNames[i])) {
                addedNames[kept] = addedNames[i];
                addedValues[kept] = addedValues[i];
                kept++;
            }
        }
        Arrays.fill(addedNames, kept, addedCount, null);
        Arrays.fill(addedValues, kept, addedCount, null);
        addedCount = kept;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        final int k = find(name, 0);
        return k < 0 ? null : valueStringAt(k);
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
        int k = find(name, 0);
        if (k < 0) {
            return List.of();
        }
        final List<String> out = new ArrayList<>(2);
        for (; k >= 0; k = find(name, k + 1)) {
            out.add(valueStringAt(k));
        }
        return out;
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Values(name);
    }

    /**
     * The values of one name, received fields first, each found as the iteration reaches it: one
     * object per call where a list, its array and its iterator were three (the hop-by-hop strip asks
     * for Connection on every message).
     */
    private final class Values implements Iterator<CharSequence> {
        private final CharSequence name;
        /** The next match's position ({@link #find}), -1 at the end. */
        private int next;

        Values(CharSequence name) {
            this.name = name;
            this.next = find(name, 0);
        }

        @Override
        public boolean hasNext() {
            return next >= 0;
        }

        @Override
        public CharSequence next() {
            final int i = next;
            if (i < 0) {
                throw new NoSuchElementException();
            }
            next = find(name, i + 1);
            return valueAt(i);
        }
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
        return find(name, 0) >= 0;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return count - removedCount + addedCount;
    }

    @Override
    public Set<String> names() {
        final Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            if (live(i)) {
                out.add(name(i).toString());
            }
        }
        for (int i = 0; i < addedCount; i++) {
            out.add(addedNames[i].toString());
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

    /**
     * Received fields still present, in order, then the added ones. Each entry is one small object;
     * its name and value are views of the received bytes, made when asked for.
     */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
                int i = from;
                while (i < count && !live(i)) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < count + addedCount;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                final int i = next;
                if (i < count) {
                    next = advance(i + 1);
                    return new Received(i);
                }
                next++;
                return new AbstractMap.SimpleImmutableEntry<>(addedNames[i - count], addedValues[i - count]);
            }
        };
    }

    /**
     * A received field as an entry, and its own name (an immutable view of the received bytes, so
     * iterating the names allocates one object per field); the value view is made on first use.
     */
    private final class Received implements Map.Entry<CharSequence, CharSequence>, CharSequence {
        private final int index;
        private final int start;
        private final int length;
        private AsciiString value;

        Received(int index) {
            this.index = index;
            this.start = at[index * 4];
            this.length = at[index * 4 + 1] - start;
        }

        @Override
        public CharSequence getKey() {
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int i) {
            return (char) (head[start + i] & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new AsciiString(head, start + from, to - from, true);
        }

        @Override
        public CharSequence getValue() {
            if (value == null) {
                value = value(index);
            }
            return value;
        }

        @Override
        public CharSequence setValue(CharSequence v) {
            throw new UnsupportedOperationException("read-only");
        }

        /** The name (CharSequence contract). */
        @Override
        public String toString() {
            return new String(head, 0, start, length);
        }
    }

    /**
     * Writes the fields as Netty's encoder would ("name: value" CRLF each, in iteration order): the
     * received ones as array copies of their name and value, the added ones as ASCII.
     */
    void encode(ByteBuf buf) {
        for (int i = 0; i < count; i++) {
            if (live(i)) {
                final int k = i * 4;
                buf.ensureWritable(at[k + 1] - at[k] + at[k + 3] - at[k + 2] + 4);
                buf.writeBytes(head, at[k], at[k + 1] - at[k]);
                buf.writeShort(COLON_SP);
                buf.writeBytes(head, at[k + 2], at[k + 3] - at[k + 2]);
                buf.writeShort(CRLF);
            }
        }
        for (int i = 0; i < addedCount; i++) {
            ByteBufUtil.writeAscii(buf, addedNames[i]);
            buf.writeShort(COLON_SP);
            ByteBufUtil.writeAscii(buf, addedValues[i]);
            buf.writeShort(CRLF);
        }
    }

    // ---- edits ------------------------------------------------------------------------------------

    @Override
    public HttpHeaders add(String name, Object value) {
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            append(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        append(name, Integer.toString(value));
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        append(name, Short.toString(value));
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        remove(name);
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        remove(name);
        append(name, Integer.toString(value));
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        remove(name);
        append(name, Short.toString(value));
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeReceived(name);
        removeAdded(name);
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
        Arrays.fill(addedNames, 0, addedCount, null);
        Arrays.fill(addedValues, 0, addedCount, null);
        addedCount = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        final HttpHeaders out = DefaultHttpHeadersFactory.headersFactory()
                .withValidation(false).newHeaders();
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(e.getKey().toString(), e.getValue().toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return "FieldLines" + Arrays.toString(entries().toArray());
    }
}
