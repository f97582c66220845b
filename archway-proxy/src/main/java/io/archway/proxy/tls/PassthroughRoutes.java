package io.archway.proxy.tls;

import io.archway.proxy.balance.L4Targets;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.TlsPassthroughPort;
import io.archway.snapshot.dispatch.SniDispatch;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SNI dispatch of one TLS passthrough socket, compiled once per snapshot from a
 * {@link PortBinding} whose kind is {@link TlsPassthroughPort}: each route's backends compiled
 * into {@link L4Targets} (shared by every connection that starts under this snapshot).
 *
 * <p>Dispatch is {@link SniDispatch}'s, the one implementation {@code explain request --sni}
 * reports too: the listener whose hostname matches the server name most specifically, then that
 * listener's route whose hostname matches it most specifically. Immutable; {@link #route}
 * allocates nothing.
 */
public final class PassthroughRoutes {
    private final PortBinding binding;
    private final SniDispatch dispatch;
    /** By listener, then route: the indices of {@link #dispatch}. */
    private final L4Targets[][] targets;

    /** @throws IllegalArgumentException when the socket does not serve TLS passthrough */
    public PassthroughRoutes(PortBinding binding) {
        if (!(binding.kind() instanceof TlsPassthroughPort tls)) {
            throw new IllegalArgumentException(binding.key() + " is not a TLS passthrough socket: " + binding.kind());
        }
        this.binding = binding;
        this.dispatch = new SniDispatch(tls);
        final Map<L4Route, L4Targets> compiled = new IdentityHashMap<>();
        final List<TlsPassthroughPort.PassthroughListener> entries = tls.listeners();
        this.targets = new L4Targets[entries.size()][];
        for (int i = 0; i < targets.length; i++) {
            final List<TlsPassthroughPort.SniRoute> routes = entries.get(i).routes();
            targets[i] = new L4Targets[routes.size()];
            for (int r = 0; r < routes.size(); r++) {
                targets[i][r] = compiled.computeIfAbsent(routes.get(r).route(), L4Targets::new);
            }
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
