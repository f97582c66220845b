package io.archway.snapshot.dispatch;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The one query-string reading both the proxy and explain use, so they agree on every request:
 * pairs separated by {@code &} only, names and values percent-decoded, and a malformed escape kept
 * as written rather than failing the request (it then simply matches nothing that expects a
 * decoded value).
 */
public final class QueryParams {
    private QueryParams() {
    }

    /**
     * The first value of {@code name} in {@code rawQuery} (without '?'), "" for a name without
     * '=', or null when absent (HTTPQueryParamMatch: the first occurrence counts).
     */
    public static String first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                final int eq = rawQuery.indexOf('=', start);
                final boolean hasValue = eq >= 0 && eq < end;
                final String key = decode(rawQuery.substring(start, hasValue ? eq : end));
                if (key.equals(name)) {
                    return hasValue ? decode(rawQuery.substring(eq + 1, end)) : "";
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
