package io.archway.proxy.http;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.StringMatchType;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The compiled form of one {@link HttpRequestMatch}: regular expressions are compiled once, at
 * snapshot compile time, so matching a request allocates nothing beyond the query decoding that
 * only routes with query conditions need.
 */
final class RequestMatcher {
    private final PathMatch.Type pathType;
    /** Path value; for PathPrefix without its trailing slash ("/" becomes ""). */
    private final String pathValue;
    private final Pattern pathPattern;
    private final String method;
    private final CompiledValueMatch[] headers;
    private final CompiledValueMatch[] queryParams;
    /** False when a regular expression did not compile: the entry then never matches. */
    private final boolean valid;

    RequestMatcher(HttpRequestMatch match) {
        final PathMatch path = match.path();
        this.pathType = path.type();
        this.method = match.method();
        boolean ok = true;
        Pattern pattern = null;
        String value = path.value();
        if (pathType == PathMatch.Type.REGULAR_EXPRESSION) {
            try {
                pattern = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                ok = false;
            }
        } else if (pathType == PathMatch.Type.PATH_PREFIX) {
            value = stripTrailingSlashes(value);
        }
        this.pathValue = value;
        this.pathPattern = pattern;
        this.headers = new CompiledValueMatch[match.headers().size()];
        for (int i = 0; i < headers.length; i++) {
            final HeaderMatch h = match.headers().get(i);
            headers[i] = CompiledValueMatch.of(h.name(), h.type(), h.value());
            ok &= headers[i].valid();
        }
        this.queryParams = new CompiledValueMatch[match.queryParams().size()];
        for (int i = 0; i < queryParams.length; i++) {
            final QueryParamMatch q = match.queryParams().get(i);
            queryParams[i] = CompiledValueMatch.of(q.name(), q.type(), q.value());
            ok &= queryParams[i].valid();
        }
        this.valid = ok;
    }

    static String stripTrailingSlashes(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(0, end);
    }

    /** Whether the route's conditions all hold for this request. */
    boolean matches(RequestView request) {
        if (!valid) {
            return false;
        }
        if (method != null && !method.equals(request.method())) {
            return false;
        }
        if (!matchesPath(request.path())) {
            return false;
        }
        for (CompiledValueMatch h : headers) {
            if (!matchesHeader(h, request.headers())) {
                return false;
            }
        }
        if (queryParams.length > 0) {
            final Map<String, List<String>> params = request.queryParameters();
            for (CompiledValueMatch q : queryParams) {
                final List<String> values = params.get(q.name());
                // HTTPQueryParamMatch: with repeated parameters only the first value counts
                // (gateway-api: "the first one MUST be used").
                if (values == null || values.isEmpty() || !q.test(values.get(0))) {
                    return false;
                }
            }
        }
        return true;
    }

    boolean matchesPath(String path) {
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
                return pathPattern.matcher(path).matches();
            default:
                return false;
        }
    }

    /**
     * A header condition holds when any single value matches, or the values joined with ","
     * match: RFC 9110 section 5.3 lets a recipient combine field lines that way, so both views of
     * the same header must be accepted.
     */
    private static boolean matchesHeader(CompiledValueMatch match, HttpHeaders headers) {
        final List<String> values = headers.getAll(match.name());
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

    /** Prefix the route matched, without its trailing slash, for ReplacePrefixMatch. */
    String matchedPrefix() {
        return pathType == PathMatch.Type.PATH_PREFIX ? pathValue : null;
    }

    /** A compiled header or query-parameter condition. */
    record CompiledValueMatch(String name, StringMatchType type, String value, Pattern pattern, boolean valid) {
        static CompiledValueMatch of(String name, StringMatchType type, String value) {
            if (type == StringMatchType.REGULAR_EXPRESSION) {
                try {
                    return new CompiledValueMatch(name, type, value, Pattern.compile(value), true);
                } catch (PatternSyntaxException e) {
                    return new CompiledValueMatch(name, type, value, null, false);
                }
            }
            return new CompiledValueMatch(name, type, value, null, true);
        }

        boolean test(String actual) {
            return pattern != null ? pattern.matcher(actual).matches() : value.equals(actual);
        }
    }
}
