package io.archway.snapshot.dispatch;

import io.archway.snapshot.PathModifier;

/** HTTPPathModifier, shared by URLRewrite (the data plane) and RequestRedirect (every decision). */
public final class PathRewrite {
    private PathRewrite() {
    }

    /**
     * Rewrites {@code path} (no query string).
     *
     * @param modifier null keeps the path
     * @param matchedPrefix the route's PathPrefix value without trailing slash, or null when the
     *     route did not match by prefix (then ReplacePrefixMatch replaces the whole path)
     */
    public static String apply(PathModifier modifier, String path, String matchedPrefix) {
        if (modifier == null) {
            return path;
        }
        if (modifier.type() == PathModifier.Type.REPLACE_FULL_PATH) {
            return modifier.value().isEmpty() ? "/" : modifier.value();
        }
        final String prefix = matchedPrefix == null ? CompiledMatch.stripTrailingSlashes(path) : matchedPrefix;
        // Only the matched path elements are replaced; the rest keeps its leading slash.
        // Conformance (httproute-rewrite-path): prefix /prefix/one with "/one":
        // /prefix/one/two -> /one/two; prefix /strip-prefix with "/": /strip-prefix/x -> /x,
        // /strip-prefix -> /.
        final String rest = path.length() >= prefix.length() ? path.substring(prefix.length()) : "";
        final String replacement = modifier.value();
        if (rest.isEmpty()) {
            return replacement.isEmpty() ? "/" : replacement;
        }
        final String base = CompiledMatch.stripTrailingSlashes(replacement);
        final String result = base + (rest.startsWith("/") ? rest : "/" + rest);
        return result.isEmpty() ? "/" : result;
    }
}
