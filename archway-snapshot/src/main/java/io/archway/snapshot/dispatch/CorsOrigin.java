package io.archway.snapshot.dispatch;

import com.google.re2j.Pattern;
import java.util.Locale;

/**
 * One entry of HTTPCORSFilter.allowOrigins (the spec's CORSOrigin) and the rule by which a
 * request's {@code Origin} matches it:
 *
 * <ul>
 *   <li>{@code *} alone matches every origin;</li>
 *   <li>otherwise the scheme must be equal, the port equal once the default port of the scheme is
 *       filled in ("if not included, port 80 is assumed for http scheme origins, and port 443 is
 *       assumed for https origins"), and the host equal (case-insensitive), except that a host
 *       {@code *} matches any host and {@code *.example.com} matches any host ending in
 *       {@code .example.com}: "{@code *} is a greedy match to the left, including any number of
 *       DNS labels to the left of its position".</li>
 * </ul>
 */
public final class CorsOrigin {
    /** CORSOrigin's validation pattern in the Gateway API CRD (v1.6.1, shared_types.go). */
    private static final Pattern VALID = Pattern.compile(
            "(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)");
    /** The CRD's MaxLength of a CORSOrigin. */
    private static final int MAX_LENGTH = 253;

    private final String value;
    /** Null for the bare {@code *}. */
    private final String scheme;
    /** Lower case; {@code *} for any host; {@code .suffix} for {@code *.suffix}. */
    private final String host;
    private final int port;

    private CorsOrigin(String value, String scheme, String host, int port) {
        this.value = value;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
    }

    /**
     * Parses an allowOrigins entry.
     *
     * @throws IllegalArgumentException when it is not a valid CORSOrigin
     */
    public static CorsOrigin parse(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !VALID.matches(value)) {
            throw new IllegalArgumentException("allowOrigins entry " + value + " is not a CORSOrigin: '*' or "
                    + "http(s)://host[:port] where the host may be '*' or start with '*.'");
        }
        if (value.equals("*")) {
            return new CorsOrigin(value, null, "*", -1);
        }
        final int sep = value.indexOf("://");
        final String scheme = value.substring(0, sep).toLowerCase(Locale.ROOT);
        final String authority = value.substring(sep + 3);
        final int colon = authority.indexOf(':');
        final String host = (colon < 0 ? authority : authority.substring(0, colon)).toLowerCase(Locale.ROOT);
        final int port = colon < 0 ? defaultPort(scheme) : Integer.parseInt(authority.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("allowOrigins entry " + value + " has port " + port
                    + ", not between 1 and 65535");
        }
        return new CorsOrigin(value, scheme, host.startsWith("*.") ? host.substring(1) : host, port);
    }

    /** Whether this entry is the bare {@code *} (every origin). */
    public boolean isWildcard() {
        return scheme == null;
    }

    /** Whether a request's {@code Origin} header value matches this entry. */
    public boolean matches(String origin) {
        if (origin == null || origin.isEmpty()) {
            return false;
        }
        if (scheme == null) {
            return true;
        }
        final int sep = origin.indexOf("://");
        if (sep < 0 || !origin.substring(0, sep).equalsIgnoreCase(scheme)) {
            return false;
        }
        final String authority = origin.substring(sep + 3);
        // An IPv6 literal carries colons inside its brackets: the port follows the ']'.
        final int hostEnd = authority.startsWith("[") ? authority.indexOf(']') + 1 : authority.indexOf(':') < 0
                ? authority.length() : authority.indexOf(':');
        if (hostEnd <= 0) {
            return false;
        }
        final String requestHost = authority.substring(0, hostEnd);
        final int requestPort;
        if (hostEnd == authority.length()) {
            requestPort = defaultPort(scheme);
        } else if (authority.charAt(hostEnd) == ':') {
            requestPort = port(authority.substring(hostEnd + 1));
        } else {
            return false; // a path or anything else: not an origin
        }
        return requestPort == port && matchesHost(requestHost);
    }

    private boolean matchesHost(String requestHost) {
        if (host.equals("*")) {
            return true;
        }
        if (host.startsWith(".")) {
            // "*.bar.com": at least one label before ".bar.com".
            return requestHost.length() > host.length()
                    && requestHost.regionMatches(true, requestHost.length() - host.length(), host, 0, host.length());
        }
        return requestHost.equalsIgnoreCase(host);
    }

    /** The port of an origin, or -1 when it is not 1 to 5 digits. */
    private static int port(String digits) {
        if (digits.isEmpty() || digits.length() > 5) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(digits);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    @Override
    public String toString() {
        return value;
    }
}
