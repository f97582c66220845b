package io.archway.proxy.tls;

import io.archway.proxy.balance.L4Targets;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.dispatch.SniDispatch;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SNI dispatch of one TLS socket, compiled once per snapshot from a {@link PortBinding} whose
 * kind is {@link TlsPort}: each route's backends compiled into {@link L4Targets} (shared by every
 * connection that starts under this snapshot) and, for each Terminate listener, its certificates
 * ({@link SniCertificateMapping}, parsed up front), all served by the port's one server context
 * (its {@link SniKeyManager} asks this dispatch which certificate a server name gets).
 *
 * <p>Dispatch is {@link SniDispatch}'s, the one implementation {@code explain request --sni}
 * reports too: the listener whose hostname matches the server name most specifically, then that
 * listener's route whose hostname matches it most specifically. Immutable; {@link #route}
 * allocates nothing.
 */
public final class TlsRoutes implements SniKeyManager.CertificateChoice {
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
    /** Every Terminate listener's certificates by alias. */
    private final Map<String, LoadedCertificate> byAlias = new HashMap<>();
    /** The context of the port's Terminate listeners; null when it has none. */
    private final SslContext serverContext;

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
            if (certificates != null) {
                byAlias.putAll(certificates.byAlias());
            }
            final List<TlsPort.SniRoute> routes = listener.routes();
            targets[i] = new Target[routes.size()];
            for (int r = 0; r < routes.size(); r++) {
                targets[i][r] = new Target(compiled.computeIfAbsent(routes.get(r).route(), L4Targets::new),
                        certificates);
            }
        }
        this.serverContext = byAlias.isEmpty() ? null
                : contexts.forPort(binding.key(), ServerContexts.Alpn.NONE, null, this);
    }

    /** The context completing the handshakes of the port's Terminate listeners; null when none has a certificate. */
    SslContext serverContext() {
        return serverContext;
    }

    /** The certificate of the Terminate listener and route {@code serverName} goes to; null when none. */
    @Override
    public LoadedCertificate choose(String serverName) {
        final String name = serverName != null ? normalizeServerName(serverName) : null;
        final Target target = name != null ? route(name) : null;
        return target != null && target.terminates() ? target.certificates().choose(name) : null;
    }

    @Override
    public LoadedCertificate byAlias(String alias) {
        return byAlias.get(alias);
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
