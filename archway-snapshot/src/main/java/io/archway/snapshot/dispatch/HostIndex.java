package io.archway.snapshot.dispatch;

import java.util.Locale;

/**
 * The most-specific hostname choice over a fixed list of {@link HostPattern}s (listeners of a
 * port, virtual hosts of a listener, TLS routes), by hash lookups instead of a scan: a port with
 * 10,000 route hostnames costs one exact lookup and one lookup per label of the request host, not
 * 10,000 comparisons. The precedence is {@link io.archway.snapshot.Hostnames#specificity}'s: any
 * exact hostname beats any wildcard, a longer wildcard beats a shorter one, "any" comes last; the
 * first candidate wins ties (a later duplicate is never chosen). Immutable; lookups allocate
 * nothing.
 */
final class HostIndex {
    private static final HostIndex EMPTY = new HostIndex(new HostPattern[0]);

    /** Exact hostnames (lower case) to their first index. */
    private final Table exact;
    /** Wildcard suffixes ({@code .example.com} of {@code *.example.com}, lower case) to their first index. */
    private final Table wildcards;
    /** The first candidate matching any host ({@code *} or no hostname), or -1. */
    private final int any;

    private HostIndex(HostPattern[] candidates) {
        int exactCount = 0;
        int wildcardCount = 0;
        for (HostPattern c : candidates) {
            if (c.pattern == null || c.pattern.equals("*")) {
                continue;
            }
            if (c.pattern.startsWith("*.")) {
                wildcardCount++;
            } else {
                exactCount++;
            }
        }
        exact = new Table(exactCount);
        wildcards = new Table(wildcardCount);
        int anyIndex = -1;
        for (int i = 0; i < candidates.length; i++) {
            final String p = candidates[i].pattern;
            if (p == null || p.equals("*")) {
                if (anyIndex < 0) {
                    anyIndex = i;
                }
            } else if (p.startsWith("*.")) {
                wildcards.putIfAbsent(p.substring(1).toLowerCase(Locale.ROOT), i);
            } else {
                exact.putIfAbsent(p.toLowerCase(Locale.ROOT), i);
            }
        }
        this.any = anyIndex;
    }

    static HostIndex of(HostPattern[] candidates) {
        return candidates.length == 0 ? EMPTY : new HostIndex(candidates);
    }

    /** The index of the candidate matching {@code host} most specifically, or -1 when none does. */
    int mostSpecific(String host) {
        if (host == null) {
            return any;
        }
        host = host.toLowerCase(Locale.ROOT); // the same instance when already lower case
        final int e = exact.get(host, 0, host.hashCode());
        if (e >= 0) {
            return e;
        }
        if (wildcards.size > 0) {
            // Every suffix that starts at a dot after the first character, longest first would win:
            // hashed from the right (String.hashCode of the suffix, built incrementally), the last
            // hit is the longest.
            int best = -1;
            int hash = 0;
            int pow = 1;
            for (int i = host.length() - 1; i >= 1; i--) {
                final char c = host.charAt(i);
                hash += c * pow;
                pow *= 31;
                if (c == '.') {
                    final int w = wildcards.get(host, i, hash);
                    if (w >= 0) {
                        best = w;
                    }
                }
            }
            if (best >= 0) {
                return best;
            }
        }
        return any;
    }

    /** Open addressing from strings to indexes; looks up a suffix of a string without copying it. */
    private static final class Table {
        private final String[] keys;
        private final int[] hashes;
        private final int[] values;
        private final int mask;
        private int size;

        Table(int expected) {
            int capacity = 2;
            while (capacity < expected * 2) {
                capacity <<= 1;
            }
            keys = new String[capacity];
            hashes = new int[capacity];
            values = new int[capacity];
            mask = capacity - 1;
        }

        void putIfAbsent(String key, int value) {
            final int h = key.hashCode();
            int slot = spread(h) & mask;
            while (keys[slot] != null) {
                if (hashes[slot] == h && keys[slot].equals(key)) {
                    return; // the first candidate wins ties
                }
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            hashes[slot] = h;
            values[slot] = value;
            size++;
        }

        /** The value of the key equal to {@code s.substring(from)} whose hash is {@code hash}, or -1. */
        int get(String s, int from, int hash) {
            if (size == 0) {
                return -1;
            }
            final int length = s.length() - from;
            int slot = spread(hash) & mask;
            String k;
            while ((k = keys[slot]) != null) {
                if (hashes[slot] == hash && k.length() == length && s.regionMatches(from, k, 0, length)) {
                    return values[slot];
                }
                slot = (slot + 1) & mask;
            }
            return -1;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
