package io.archway.proxy.http;

/**
 * Removes dot segments from a request path (RFC 3986 section 5.2.4) before it is matched and
 * forwarded, so {@code /public/../admin} cannot slip past a route for {@code /public} to a
 * backend that would resolve it to {@code /admin}. Paths without a dot segment, the common case,
 * are returned as they are, without allocating.
 */
final class PathNormalizer {
    private PathNormalizer() {
    }

    static String normalize(String path) {
        if (!hasDotSegment(path)) {
            return path;
        }
        final StringBuilder out = new StringBuilder(path.length());
        int i = 0;
        final int n = path.length();
        while (i < n) {
            // Each step looks at one segment "/seg" starting at i (path is absolute).
            int end = path.indexOf('/', i + 1);
            if (end < 0) {
                end = n;
            }
            final int segLen = end - i - 1;
            if (segLen == 1 && path.charAt(i + 1) == '.') {
                if (end == n) {
                    out.append('/');
                }
            } else if (segLen == 2 && path.charAt(i + 1) == '.' && path.charAt(i + 2) == '.') {
                final int last = out.lastIndexOf("/");
                out.setLength(Math.max(last, 0));
                if (end == n) {
                    out.append('/');
                }
            } else {
                out.append(path, i, end);
            }
            i = end;
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    private static boolean hasDotSegment(String path) {
        int from = 0;
        int idx;
        while ((idx = path.indexOf("/.", from)) >= 0) {
            final int after = idx + 2;
            if (after == path.length() || path.charAt(after) == '/') {
                return true;
            }
            if (path.charAt(after) == '.' && (after + 1 == path.length() || path.charAt(after + 1) == '/')) {
                return true;
            }
            from = after;
        }
        return false;
    }
}
