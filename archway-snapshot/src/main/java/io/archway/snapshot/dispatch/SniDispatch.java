package io.archway.snapshot.dispatch;

import io.archway.snapshot.Hostnames;
import io.archway.snapshot.TlsPort;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The SNI choice of a TLS socket ({@link TlsPort}, Passthrough and Terminate listeners alike), the one implementation
 * the data plane forwards by and {@code explain request --sni} reports: the listener whose
 * hostname matches the server name most specifically (exact, then the longest wildcard, then any;
 * ties: the first in snapshot order), then that listener's route whose hostname matches it most
 * specifically, by the same precedence ({@link Hostnames#specificity}). There is no fall-through
 * to a less specific listener when the chosen one has no matching route. Immutable; the lookups
 * allocate nothing.
 */
public final class SniDispatch {
    /** RFC 1035: a hostname is at most 253 characters (without the trailing dot). */
    private static final int MAX_HOSTNAME = 253;

    private final TlsPort port;
    private final HostIndex listenerHosts;
    private final HostIndex[] routeHosts;

    public SniDispatch(TlsPort port) {
        this.port = Objects.requireNonNull(port, "port");
        final List<TlsPort.TlsListener> listeners = port.listeners();
        final HostPattern[] listenerPatterns = new HostPattern[listeners.size()];
        this.routeHosts = new HostIndex[listeners.size()];
        for (int i = 0; i < listenerPatterns.length; i++) {
            final TlsPort.TlsListener l = listeners.get(i);
            listenerPatterns[i] = new HostPattern(l.hostname());
            final HostPattern[] routePatterns = new HostPattern[l.routes().size()];
            for (int r = 0; r < routePatterns.length; r++) {
                routePatterns[r] = new HostPattern(l.routes().get(r).hostname());
            }
            routeHosts[i] = HostIndex.of(routePatterns);
        }
        this.listenerHosts = HostIndex.of(listenerPatterns);
    }

    public TlsPort port() {
        return port;
    }

    /**
     * The index (in {@link TlsPort#listeners()}) of the listener serving
     * {@code serverName}, or -1 when none matches it.
     *
     * @param serverName normalized ({@link #normalizeServerName})
     */
    public int listener(String serverName) {
        return listenerHosts.mostSpecific(serverName);
    }

    /**
     * The index (in that listener's {@code routes()}) of the route serving {@code serverName} on
     * listener {@code listener}, or -1 when none matches it.
     */
    public int route(int listener, String serverName) {
        return routeHosts[listener].mostSpecific(serverName);
    }

    /**
     * The server name of a ClientHello ready for {@link #listener}: lower case, without a trailing
     * dot; null when it is not a DNS hostname (empty, too long, a wildcard, an IP literal's colon,
     * or a character other than letters, digits, '-', '_' and '.'), which no listener serves.
     */
    public static String normalizeServerName(String serverName) {
        if (serverName == null) {
            return null;
        }
        final String name = serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
        if (name.isEmpty() || name.length() > MAX_HOSTNAME) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_';
            if (!ok) {
                return null;
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }
}
