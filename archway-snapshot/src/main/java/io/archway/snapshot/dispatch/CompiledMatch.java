package io.archway.snapshot.dispatch;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import java.util.List;

/**
 * The compiled form of one {@link HttpRequestMatch}: regular expressions are compiled once, so
 * matching allocates nothing beyond what the {@link RequestFacts} implementation needs to look a
 * header or query parameter up. An entry whose regular expression does not compile never matches
 * (the translator rejects such a rule first). Regular expressions are {@link RegularExpression}s:
 * RE2 syntax, whole-value matches, linear time.
 *
 * <p>{@link #firstFailure} is the single implementation of the conditions; {@link #matches} and
 * the explain trace both use it, so they cannot disagree.
 */
public final class CompiledMatch {
    /** {@link #firstFailure} result when every condition holds. */
    public static final int MATCH = -1;
    /** A regular expression of the match did not compile. */
    public static final int INVALID = 0;
    public static final int METHOD = 1;
    public static final int PATH = 2;
    /** Header condition i fails with code {@code HEADER_BASE + i}; query param j with {@code HEADER_BASE + headers + j}. */
    public static final int HEADER_BASE = 3;

    private final HttpRequestMatch match;
    private final PathMatch.Type pathType;
    /** Path value; for PathPrefix without its trailing slash ("/" becomes ""). */
    private final String pathValue;
    private final RegularExpression pathPattern;
    private final String method;
    private final ValueMatch[] headers;
    private final ValueMatch[] queryParams;
    private final boolean valid;

    public CompiledMatch(HttpRequestMatch match) {
        this.match = match;
        final PathMatch path = match.path();
        this.pathType = path.type();
        this.method = match.method();
        boolean ok = true;
        RegularExpression pattern = null;
        String value = path.value();
        if (pathType == PathMatch.Type.REGULAR_EXPRESSION) {
            try {
                pattern = RegularExpression.compile(value);
            } catch (IllegalArgumentException e) {
                ok = false;
            }
        } else if (pathType == PathMatch.Type.PATH_PREFIX) {
            value = stripTrailingSlashes(value);
        }
        this.pathValue = value;
        this.pathPattern = pattern;
        this.headers = new ValueMatch[match.headers().size()];
        for (int i = 0; i < headers.length; i++) {
            final HeaderMatch h = match.headers().get(i);
            headers[i] = ValueMatch.of(h.name(), h.type(), h.value());
            ok &= headers[i].valid();
        }
        this.queryParams = new ValueMatch[match.queryParams().size()];
        for (int i = 0; i < queryParams.length; i++) {
            final QueryParamMatch q = match.queryParams().get(i);
            queryParams[i] = ValueMatch.of(q.name(), q.type(), q.value());
            ok &= queryParams[i].valid();
        }
        this.valid = ok;
    }

    public HttpRequestMatch match() {
        return match;
    }

    public static String stripTrailingSlashes(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(0, end);
    }

    /** Whether every condition holds. */
    public boolean matches(RequestFacts request) {
        return firstFailure(request) == MATCH;
    }

    /**
     * {@link #MATCH} when every condition holds, else the code of the first one that does not, in
     * the order method, path, headers, query parameters ({@link #describeFailure} says it in words).
     */
    public int firstFailure(RequestFacts request) {
        if (!valid) {
            return INVALID;
        }
        if (method != null && !method.equals(request.method())) {
            return METHOD;
        }
        if (!matchesPath(request.path())) {
            return PATH;
        }
        for (int i = 0; i < headers.length; i++) {
            if (!matchesHeader(headers[i], request.headerValues(headers[i].name()))) {
                return HEADER_BASE + i;
            }
        }
        for (int j = 0; j < queryParams.length; j++) {
            final String v = request.queryParam(queryParams[j].name());
            if (v == null || !queryParams[j].test(v)) {
                return HEADER_BASE + headers.length + j;
            }
        }
        return MATCH;
    }

    /** The failed condition of {@link #firstFailure}'s code, in words (for explain; allocates). */
    public String describeFailure(int code, RequestFacts request) {
        if (code == MATCH) {
            return "all conditions hold";
        }
        if (code == INVALID) {
            return "a regular expression of this match does not compile: it never matches";
        }
        if (code == METHOD) {
            return "method " + request.method() + " is not " + method;
        }
        if (code == PATH) {
            return "path " + request.path() + " does not match " + describePath();
        }
        final int h = code - HEADER_BASE;
        if (h < headers.length) {
            final List<String> values = request.headerValues(headers[h].name());
            return "header " + headers[h] + (values.isEmpty() ? ": the request has no " + headers[h].name() + " header"
                    : ": the request has " + headers[h].name() + ": " + String.join(", ", values));
        }
        final ValueMatch q = queryParams[h - headers.length];
        final String v = request.queryParam(q.name());
        return "query parameter " + q + (v == null ? ": the request has no " + q.name() + " parameter"
                : ": the request has " + q.name() + "=" + v);
    }

    /** The path condition in words, e.g. {@code PathPrefix /foo}. */
    public String describePath() {
        switch (pathType) {
            case EXACT:
                return "Exact " + match.path().value();
            case PATH_PREFIX:
                return "PathPrefix " + match.path().value();
            default:
                return "RegularExpression " + match.path().value();
        }
    }

    public boolean matchesPath(String path) {
        switch (pathType) {
            case EXACT:
                return path.equals(pathValue);
            case PATH_PREFIX:
                // PathPrefix matches whole path elements: "/foo" matches "/foo", "/foo/" and
                // "/foo/bar" but not "/foobar" (HTTPPathMatch, PathPrefix).
                if (!path.startsWith(pathValue)) {
                    return false;
                }
                return path.length() == pathValue.length() || path.charAt(pathValue.length()) == '/';
            case REGULAR_EXPRESSION:
                return pathPattern.matchesWhole(path);
            default:
                return false;
        }
    }

    /**
     * A header condition holds when any single value matches, or the values joined with ","
     * match: RFC 9110 section 5.3 lets a recipient combine field lines that way, so both views of
     * the same header must be accepted.
     */
    private static boolean matchesHeader(ValueMatch match, List<String> values) {
        if (values.isEmpty()) {
            return false;
        }
        for (int i = 0; i < values.size(); i++) {
            if (match.test(values.get(i))) {
                return true;
            }
        }
        return values.size() > 1 && match.test(String.join(",", values));
    }

    /** Prefix the route matched, without its trailing slash, for ReplacePrefixMatch; null unless PathPrefix. */
    public String matchedPrefix() {
        return pathType == PathMatch.Type.PATH_PREFIX ? pathValue : null;
    }

    @Override
    public String toString() {
        return describe(match);
    }

    /** A match in words: {@code PathPrefix /foo, method GET, header x = 1, query a ~ b.*}. */
    public static String describe(HttpRequestMatch m) {
        final StringBuilder sb = new StringBuilder();
        sb.append(switch (m.path().type()) {
            case EXACT -> "Exact ";
            case PATH_PREFIX -> "PathPrefix ";
            case REGULAR_EXPRESSION -> "RegularExpression ";
        }).append(m.path().value());
        if (m.method() != null) {
            sb.append(", method ").append(m.method());
        }
        for (HeaderMatch h : m.headers()) {
            sb.append(", header ").append(h.name()).append(h.type() == io.archway.snapshot.StringMatchType.EXACT
                    ? " = " : " ~ ").append(h.value());
        }
        for (QueryParamMatch q : m.queryParams()) {
            sb.append(", query ").append(q.name()).append(q.type() == io.archway.snapshot.StringMatchType.EXACT
                    ? " = " : " ~ ").append(q.value());
        }
        return sb.toString();
    }
}
