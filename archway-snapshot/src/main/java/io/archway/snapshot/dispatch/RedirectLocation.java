package io.archway.snapshot.dispatch;

import io.archway.snapshot.Header;
import io.archway.snapshot.HttpFilter;

/** The Location and status of an HTTPRequestRedirectFilter answer (HTTPRequestRedirectFilter). */
public final class RedirectLocation {
    private RedirectLocation() {
    }

    /**
     * The absolute Location for {@code request}.
     *
     * @param requestScheme "http" or "https", from the listener
     * @param listenerPort the Gateway listener port as written in the spec (not the bound port)
     * @param matchedPrefix the route's PathPrefix without trailing slash, or null
     */
    public static String of(HttpFilter.RequestRedirect redirect, RequestFacts request, String requestScheme,
                            int listenerPort, String matchedPrefix) {
        final String scheme = redirect.scheme() != null ? redirect.scheme() : requestScheme;
        final String host = redirect.hostname() != null && new Header("location", redirect.hostname()).wellFormed()
                ? redirect.hostname() : request.host();
        // HTTPRequestRedirectFilter.port: when unset, the well-known port of the redirect scheme
        // if a scheme is set, else the Gateway listener port.
        final int port;
        if (redirect.port() != null) {
            port = redirect.port();
        } else if (redirect.scheme() != null) {
            port = wellKnownPort(redirect.scheme());
        } else {
            port = listenerPort;
        }
        final String path = PathRewrite.apply(redirect.path(), request.path(), matchedPrefix);
        final String query = request.rawQuery();
        final StringBuilder sb = new StringBuilder(scheme.length() + host.length() + path.length() + 16);
        sb.append(scheme).append("://").append(host);
        // Implementations SHOULD NOT add the port when it is the scheme's well-known one
        // (80 for http, 443 for https).
        if (port > 0 && port != wellKnownPort(scheme)) {
            sb.append(':').append(port);
        }
        sb.append(path);
        if (!query.isEmpty()) {
            sb.append('?').append(query);
        }
        return sb.toString();
    }

    static int wellKnownPort(String scheme) {
        if ("https".equalsIgnoreCase(scheme)) {
            return 443;
        }
        if ("http".equalsIgnoreCase(scheme)) {
            return 80;
        }
        return -1;
    }

    /** The redirect status; the snapshot carries 0 when the spec default (302) applies. */
    public static int statusCode(HttpFilter.RequestRedirect redirect) {
        final int code = redirect.statusCode();
        return code >= 300 && code < 400 ? code : 302;
    }
}
