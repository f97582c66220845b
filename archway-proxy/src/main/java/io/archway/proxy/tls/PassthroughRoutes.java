package io.archway.proxy.tls;

import io.archway.proxy.balance.L4Targets;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.TlsPassthroughPort;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SNI dispatch of one TLS passthrough socket, compiled once per snapshot from a
 * {@link PortBinding} whose kind is {@link TlsPassthroughPort}: each route's backends compiled
 * into {@link L4Targets} (shared by every connection that starts under this snapshot).
 *
 * <p>Dispatch, as HTTP picks a listener and a virtual host by the Host header: the listener whose
 * hostname matches the server name most specifically (exact, then the longest wildcard, then any;
 * ties: the first in snapshot order), then that listener's route whose hostname matches it most
 * specifically, by the same precedence. There is no fall-through to a less specific listener when
 * the chosen one has no matching route. Matching is case-insensitive ({@link Hostnames}).
 * Immutable; {@link #route} allocates nothing.
 */
public final class PassthroughRoutes {
    /** RFC 1035: a hostname is at most 253 characters (without the trailing dot). */
    private static final int MAX_HOSTNAME = 253;

    private final PortBinding binding;
    private final Listener[] listeners;

    /** @throws IllegalArgumentException when the socket does not serve TLS passthrough */
    public PassthroughRoutes(PortBinding binding) {
        if (!(binding.kind() instanceof TlsPassthroughPort tls)) {
            throw new IllegalArgumentException(binding.key() + " is not a TLS passthrough socket: " + binding.kind());
        }
        this.binding = binding;
        final Map<L4Route, L4Targets> compiled = new IdentityHashMap<>();
        final List<TlsPassthroughPort.PassthroughListener> entries = tls.listeners();
        this.listeners = new Listener[entries.size()];
        for (int i = 0; i < listeners.length; i++) {
            final TlsPassthroughPort.PassthroughListener l = entries.get(i);
            final Route[] routes = new Route[l.routes().size()];
            for (int r = 0; r < routes.length; r++) {
                final TlsPassthroughPort.SniRoute sni = l.routes().get(r);
                routes[r] = new Route(sni.hostname(), compiled.computeIfAbsent(sni.route(), L4Targets::new));
            }
            listeners[i] = new Listener(l.hostname(), routes);
        }
    }

    public PortBinding binding() {
        return binding;
    }

    /**
     * The route serving {@code serverName}, or null when none does (no listener matches, or the
     * matching listener has no route for it).
     *
     * @param serverName normalized ({@link #normalizeServerName})
     */
    public L4Targets route(String serverName) {
        final int l = mostSpecific(listeners, serverName);
        if (l < 0) {
            return null;
        }
        final Route[] routes = listeners[l].routes;
        final int r = mostSpecific(routes, serverName);
        return r < 0 ? null : routes[r].targets;
    }

    /**
     * The server name of a ClientHello ready for {@link #route}: lower case, without a trailing
     * dot; null when it is not a DNS hostname (empty, too long, a wildcard, an IP literal's colon,
     * or a character other than letters, digits, '-', '_' and '.'), which no listener serves.
     */
    public static String normalizeServerName(String serverName) {
        if (serverName == null) {
            return null;
        }
        String name = serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
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

    /** The index of the candidate matching {@code host} most specifically; the first wins ties; -1 for none. */
    private static int mostSpecific(HostPattern[] candidates, String host) {
        int best = -1;
        int bestScore = -1;
        for (int i = 0; i < candidates.length; i++) {
            final HostPattern c = candidates[i];
            if (c.specificity > bestScore && Hostnames.matches(c.pattern, host)) {
                best = i;
                bestScore = c.specificity;
            }
        }
        return best;
    }

    private abstract static class HostPattern {
        final String pattern;
        final int specificity;

        HostPattern(String pattern) {
            this.pattern = pattern;
            this.specificity = Hostnames.specificity(pattern);
        }
    }

    private static final class Listener extends HostPattern {
        final Route[] routes;

        Listener(String hostname, Route[] routes) {
            super(hostname);
            this.routes = routes;
        }
    }

    private static final class Route extends HostPattern {
        final L4Targets targets;

        Route(String hostname, L4Targets targets) {
            super(hostname);
            this.targets = targets;
        }
    }
}
