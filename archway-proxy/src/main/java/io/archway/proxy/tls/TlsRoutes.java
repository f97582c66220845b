package io.archway.proxy.tls;

import io.archway.proxy.balance.L4Targets;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.dispatch.SniDispatch;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SNI dispatch of one TLS socket, compiled once per snapshot from a {@link PortBinding} whose
 * kind is {@link TlsPort}: each route's backends compiled into {@link L4Targets} (shared by every
 * connection that starts under this snapshot) and, for each Terminate listener, its certificates
 * ({@link SniCertificateMapping}, contexts built up front).
 *
 * <p>Dispatch is {@link SniDispatch}'s, the one implementation {@code explain request --sni}
 * reports too: the listener whose hostname matches the server name most specifically, then that
 * listener's route whose hostname matches it most specifically. Immutable; {@link #route}
 * allocates nothing.
 */
public final class TlsRoutes {
    /**
     * Where a server name goes: the route's backends and, when its listener terminates TLS, the
     * certificates to complete the handshake with.
     *
     * @param certificates null for a Passthrough listener
     */
    public record Target(L4Targets targets, SniCertificateMapping certificates) {
        public boolean terminates() {
            return certificates != null;
        }
    }

    private final PortBinding binding;
    private final SniDispatch dispatch;
    /** By listener, then route: the indices of {@link #dispatch}. */
    private final Target[][] targets;

    /** @throws IllegalArgumentException when the socket does not serve TLS */
    public TlsRoutes(PortBinding binding, ServerContexts contexts) {
        if (!(binding.kind() instanceof TlsPort tls)) {
            throw new IllegalArgumentException(binding.key() + " is not a TLS socket: " + binding.kind());
        }
        this.binding = binding;
        this.dispatch = new SniDispatch(tls);
        final Map<L4Route, L4Targets> compiled = new IdentityHashMap<>();
        final List<TlsPort.TlsListener> listeners = tls.listeners();
        this.targets = new Target[listeners.size()][];
        for (int i = 0; i < targets.length; i++) {
            final TlsPort.TlsListener listener = listeners.get(i);
            final SniCertificateMapping certificates = listener.mode() == TlsPort.Mode.TERMINATE
                    ? SniCertificateMapping.forTlsListener(listener, contexts) : null;
            final List<TlsPort.SniRoute> routes = listener.routes();
            targets[i] = new Target[routes.size()];
            for (int r = 0; r < routes.size(); r++) {
                targets[i][r] = new Target(compiled.computeIfAbsent(routes.get(r).route(), L4Targets::new),
                        certificates);
            }
        }
    }

    public PortBinding binding() {
        return binding;
    }

    /**
     * Where {@code serverName} goes, or null when nowhere (no listener matches, or the matching
     * listener has no route for it).
     *
     * @param serverName normalized ({@link #normalizeServerName})
     */
    public Target route(String serverName) {
        final int l = dispatch.listener(serverName);
        if (l < 0) {
            return null;
        }
        final int r = dispatch.route(l, serverName);
        return r < 0 ? null : targets[l][r];
    }

    /** {@link SniDispatch#normalizeServerName}. */
    public static String normalizeServerName(String serverName) {
        return SniDispatch.normalizeServerName(serverName);
    }
}
