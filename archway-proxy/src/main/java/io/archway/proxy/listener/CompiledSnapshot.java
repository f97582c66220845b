package io.archway.proxy.listener;

import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.tls.ServerContexts;
import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.proxy.tls.TlsRoutes;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.TcpPort;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.UdpPort;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RoutingSnapshot} compiled for serving: one {@link ServedPort} per socket, regular
 * expressions compiled and SslContexts built. Immutable once built; the data plane swaps it as a
 * whole. Compiling is CPU work (TLS contexts especially) and never runs on an event loop.
 */
public final class CompiledSnapshot {
    private static final CompiledSnapshot EMPTY = new CompiledSnapshot(RoutingSnapshot.empty(), Map.of(),
            ServerContexts.none());

    private final RoutingSnapshot snapshot;
    private final Map<SocketKey, ServedPort> ports;
    /** The certificates this snapshot presents: what the next one reuses, and falls back to. */
    private final ServerContexts certificates;

    private CompiledSnapshot(RoutingSnapshot snapshot, Map<SocketKey, ServedPort> ports, ServerContexts certificates) {
        this.snapshot = snapshot;
        this.ports = ports;
        this.certificates = certificates;
    }

    public static CompiledSnapshot empty() {
        return EMPTY;
    }

    /**
     * Compiles {@code snapshot}. Virtual hosts the translator handed out unchanged (the same
     * instance) keep what {@code previous} compiled for them. SslContexts of unchanged certificates are taken from
     * {@code previous} (a TLS context is expensive to build, and reusing it keeps sessions), and a
     * terminating listener without a certificate that loads keeps the ones it presented in
     * {@code previous} ({@link ServerContexts}).
     */
    public static CompiledSnapshot compile(RoutingSnapshot snapshot, CompiledSnapshot previous) {
        final ServerContexts certificates = ServerContexts.after(previous.certificates);
        final Map<SocketKey, ServedPort> ports = new LinkedHashMap<>();
        for (PortBinding binding : snapshot.ports()) {
            ports.put(binding.key(), compile(binding, certificates, previous.port(binding.key())));
        }
        return new CompiledSnapshot(snapshot, Map.copyOf(ports), certificates);
    }

    /** Compiles one socket for the part of the data plane that serves its kind. */
    private static ServedPort compile(PortBinding binding, ServerContexts certificates, ServedPort previous) {
        if (binding.kind() instanceof HttpPort http) {
            return new ServedPort.Http(new RouteIndex(binding, http.protocol() == ListenerProtocol.HTTPS
                    ? SniCertificateMapping.forHttps(binding.key(), http, certificates) : null,
                    previous instanceof ServedPort.Http served ? served.index() : null));
        }
        if (binding.kind() instanceof TcpPort tcp) {
            return new ServedPort.Tcp(binding, tcp.route() != null ? new L4Targets(tcp.route()) : null);
        }
        if (binding.kind() instanceof TlsPort) {
            return new ServedPort.Tls(new TlsRoutes(binding, certificates));
        }
        if (binding.kind() instanceof UdpPort udp) {
            return new ServedPort.Udp(binding, udp.route() != null ? new L4Targets(udp.route()) : null);
        }
        throw new IllegalArgumentException("no part of the data plane serves " + binding.kind());
    }

    public RoutingSnapshot snapshot() {
        return snapshot;
    }

    Map<SocketKey, ServedPort> ports() {
        return ports;
    }

    /** What this snapshot serves on a socket, or null when it does not serve it. */
    ServedPort port(SocketKey key) {
        return ports.get(key);
    }
}
