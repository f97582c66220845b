package io.archway.snapshot;

import java.util.Locale;

/**
 * Hostname matching shared by the translator (explain) and the data plane, so that both agree by
 * construction. Hostnames are compared case-insensitively; a wildcard {@code *.example.com}
 * matches one or more labels in front of {@code .example.com} but not {@code example.com} itself
 * (Gateway API Listener.hostname).
 */
public final class Hostnames {
    private Hostnames() {
    }

    /** Lower-cases a host and strips a port and a trailing dot, e.g. {@code Foo.com:80} -> {@code foo.com}. */
    public static String normalizeHost(String host) {
        if (host == null) {
            return "";
        }
        String h = host;
        if (h.startsWith("[")) {
            final int end = h.indexOf(']');
            return (end > 0 ? h.substring(0, end + 1) : h).toLowerCase(Locale.ROOT);
        }
        final int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code pattern} (exact, {@code *.suffix}, or {@code *} / null for any) matches the
     * normalized {@code host}.
     */
    public static boolean matches(String pattern, String host) {
        if (pattern == null || pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            final String suffix = pattern.substring(1); // ".example.com"
            return host.length() > suffix.length() && host.regionMatches(true, host.length() - suffix.length(),
                    suffix, 0, suffix.length());
        }
        return pattern.equalsIgnoreCase(host);
    }

    /**
     * Specificity of a hostname pattern, larger is more specific: any exact hostname beats any
     * wildcard, a longer wildcard beats a shorter one, and "any" comes last.
     */
    public static int specificity(String pattern) {
        if (pattern == null || pattern.equals("*")) {
            return 0;
        }
        if (pattern.startsWith("*.")) {
            return pattern.length();
        }
        return 1_000_000 + pattern.length();
    }
}
