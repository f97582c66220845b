package io.archway.snapshot.dispatch;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;

/**
 * Archway's dialect for the RegularExpression match type of paths, headers and query parameters
 * (HTTPPathMatch, HTTPHeaderMatch, HTTPQueryParamMatch: "Support: Implementation-specific ...
 * Please read the implementation's documentation to determine the supported dialect"): RE2
 * syntax, compiled by RE2/J, which matches in time linear in the input, so a route author's
 * pattern such as {@code (a+)+$} cannot stall the proxy on a long header or path. A pattern must
 * match the whole value (as Envoy's {@code safe_regex} does): {@code /v[0-9]} does not match
 * {@code /v1/users}; write {@code /v[0-9]/.*} for that.
 *
 * <p>RE2 has no backreferences or lookaround; such patterns are invalid here. The translator
 * rejects an invalid pattern ({@link #syntaxError}) and the data plane compiles the same way, so
 * the two cannot disagree on what is valid.
 */
public final class RegularExpression {
    /**
     * Largest pattern accepted once counted repetitions are expanded, in pattern characters. RE2
     * expands {@code x{n,m}} into m copies of x at compile time, so nested counts multiply:
     * {@code ((a{1000}){1000}){1000}} would need 10^9 instructions and exhaust the heap (RE2/J
     * has no memory budget; RE2 itself refuses such patterns, "bad repetition operator" or
     * "pattern too large"). 100,000 keeps the largest program to a few MiB and its compilation
     * to tens of milliseconds.
     */
    static final long MAX_EXPANDED_SIZE = 100_000;

    private final Pattern pattern;

    private RegularExpression(Pattern pattern) {
        this.pattern = pattern;
    }

    /**
     * Compiles {@code regex}.
     *
     * @throws IllegalArgumentException with {@link #syntaxError}'s message when it is invalid
     */
    public static RegularExpression compile(String regex) {
        final String error = syntaxError(regex);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        return new RegularExpression(Pattern.compile(regex));
    }

    /** Null when {@code regex} is a valid pattern of this dialect, else why not (for a status message). */
    public static String syntaxError(String regex) {
        if (expandedSize(regex) > MAX_EXPANDED_SIZE) {
            return "its counted repetitions expand it past " + MAX_EXPANDED_SIZE + " characters";
        }
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            // RE2/J's message reads "error parsing regexp: <what>: `<where>`".
            return e.getMessage();
        }
    }

    /** Whether the whole of {@code value} matches. */
    public boolean matchesWhole(CharSequence value) {
        return pattern.matcher(value).matches();
    }

    public String pattern() {
        return pattern.pattern();
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }

    /**
     * An upper bound of the pattern's length with every counted repetition {@code x{n}},
     * {@code x{n,}}, {@code x{n,m}} written out (saturating just past {@link #MAX_EXPANDED_SIZE}).
     * Reads only what affects that bound: groups, counted repetitions and the constructs inside
     * which braces are not repetitions (escapes, {@code \Q...\E}, character classes). Syntax
     * errors are left to RE2/J, which parses the pattern next.
     */
    static long expandedSize(String regex) {
        // Per open group: {size of its contents so far, size of its last atom}.
        final ArrayDeque<long[]> groups = new ArrayDeque<>();
        long[] current = {0, 0};
        int i = 0;
        final int n = regex.length();
        while (i < n) {
            final char c = regex.charAt(i);
            if (c == '(') {
                groups.push(current);
                current = new long[] {0, 0};
                i++;
            } else if (c == ')' && !groups.isEmpty()) {
                final long inner = current[0];
                current = groups.pop();
                atom(current, inner);
                i++;
            } else if (c == '{' && repeatEnd(regex, i) > 0) {
                final int end = repeatEnd(regex, i);
                final long times = Math.max(1, repeatCount(regex, i + 1, end));
                // x{n,m}: the last atom now stands m times.
                final long repeated = saturate(current[1] * times);
                if (current[0] <= MAX_EXPANDED_SIZE) {
                    current[0] = saturate(current[0] - current[1] + repeated);
                }
                current[1] = repeated;
                i = end + 1;
            } else if (c == '\\') {
                i = escapeEnd(regex, i);
                atom(current, 1);
            } else if (c == '[') {
                i = classEnd(regex, i);
                atom(current, 1);
            } else {
                atom(current, 1);
                i++;
            }
        }
        while (!groups.isEmpty()) {
            final long inner = current[0];
            current = groups.pop();
            atom(current, inner);
        }
        return current[0];
    }

    private static void atom(long[] group, long size) {
        group[0] = saturate(group[0] + size);
        group[1] = size;
    }

    private static long saturate(long size) {
        return Math.min(size, MAX_EXPANDED_SIZE + 1);
    }

    /** Index of the '}' closing a repetition {n}, {n,} or {n,m} that starts at {@code open}, else -1. */
    private static int repeatEnd(String regex, int open) {
        int i = open + 1;
        final int digitsStart = i;
        while (i < regex.length() && Character.isDigit(regex.charAt(i))) {
            i++;
        }
        if (i == digitsStart || i >= regex.length()) {
            return -1; // "{,3}" and "{x}" are literals in RE2
        }
        if (regex.charAt(i) == ',') {
            i++;
            while (i < regex.length() && Character.isDigit(regex.charAt(i))) {
                i++;
            }
        }
        return i < regex.length() && regex.charAt(i) == '}' ? i : -1;
    }

    /** The larger count of a repetition's body {@code n}, {@code n,} or {@code n,m} (saturating). */
    private static long repeatCount(String regex, int from, int end) {
        long max = 0;
        long value = 0;
        for (int i = from; i < end; i++) {
            final char c = regex.charAt(i);
            if (c == ',') {
                max = value;
                value = 0;
            } else {
                value = saturate(value * 10 + (c - '0'));
            }
        }
        return Math.max(max, value);
    }

    /** Index just past the escape starting at {@code backslash}: {@code \Q...\E}, {@code \p{..}}, {@code \x{..}}, {@code \c}. */
    private static int escapeEnd(String regex, int backslash) {
        final int n = regex.length();
        if (backslash + 1 >= n) {
            return n;
        }
        final char e = regex.charAt(backslash + 1);
        if (e == 'Q') {
            final int quoteEnd = regex.indexOf("\\E", backslash + 2);
            return quoteEnd < 0 ? n : quoteEnd + 2;
        }
        if ((e == 'p' || e == 'P' || e == 'x') && backslash + 2 < n && regex.charAt(backslash + 2) == '{') {
            final int close = regex.indexOf('}', backslash + 3);
            return close < 0 ? n : close + 1;
        }
        return backslash + 2;
    }

    /** Index just past the character class opening at {@code open} ({@code []a]}, {@code [[:alpha:]]}, escapes). */
    private static int classEnd(String regex, int open) {
        final int n = regex.length();
        int i = open + 1;
        if (i < n && regex.charAt(i) == '^') {
            i++;
        }
        if (i < n && regex.charAt(i) == ']') {
            i++; // a leading ']' is a literal
        }
        while (i < n) {
            final char c = regex.charAt(i);
            if (c == ']') {
                return i + 1;
            }
            if (c == '\\') {
                i = escapeEnd(regex, i);
            } else if (c == '[' && i + 1 < n && regex.charAt(i + 1) == ':') {
                final int close = regex.indexOf(":]", i + 2);
                i = close < 0 ? i + 1 : close + 2;
            } else {
                i++;
            }
        }
        return n;
    }
}
