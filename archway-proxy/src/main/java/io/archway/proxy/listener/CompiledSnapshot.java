package io.archway.proxy.listener;

import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.tls.PassthroughRoutes;
import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.TcpPort;
import io.archway.snapshot.TlsPassthroughPort;
import io.archway.snapshot.UdpPort;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RoutingSnapshot} compiled for serving: one {@link ServedPort} per socket, regular
 * expressions compiled and SslContexts built. Immutable once built; the data plane swaps it as a
 * whole. Compiling is CPU work (TLS contexts especially) and never runs on an event loop.
 */
public final class CompiledSnapshot {
    private static final CompiledSnapshot EMPTY = new CompiledSnapshot(RoutingSnapshot.empty(), Map.of());

    private final RoutingSnapshot snapshot;
    private final Map<SocketKey, ServedPort> ports;

    private CompiledSnapshot(RoutingSnapshot snapshot, Map<SocketKey, ServedPort> ports) {
        this.snapshot = snapshot;
        this.ports = ports;
    }

    public static CompiledSnapshot empty() {
        return EMPTY;
    }

    /**
     * Compiles {@code snapshot}. SslContexts of unchanged certificates are taken from
     * {@code previous} (a TLS context is expensive to build, and reusing it keeps sessions).
     */
    public static CompiledSnapshot compile(RoutingSnapshot snapshot, CompiledSnapshot previous) {
        final Map<CertificateBundle, SslContext> contexts = new HashMap<>();
        final Map<SocketKey, ServedPort> ports = new LinkedHashMap<>();
        for (PortBinding binding : snapshot.ports()) {
            ports.put(binding.key(), compile(binding, contexts, previous));
        }
        return new CompiledSnapshot(snapshot, Map.copyOf(ports));
    }

    /** Compiles one socket for the part of the data plane that serves its kind. */
    private static ServedPort compile(PortBinding binding, Map<CertificateBundle, SslContext> contexts,
                                      CompiledSnapshot previous) {
        if (binding.kind() instanceof HttpPort http) {
            return new ServedPort.Http(new RouteIndex(binding, http.protocol() == ListenerProtocol.HTTPS
                    ? SniCertificateMapping.build(http.listeners(), contexts, previous.certificateCache())
                    : null));
        }
        if (binding.kind() instanceof TcpPort tcp) {
            return new ServedPort.Tcp(binding, tcp.route() != null ? new L4Targets(tcp.route()) : null);
        }
        if (binding.kind() instanceof TlsPassthroughPort) {
            return new ServedPort.TlsPassthrough(new PassthroughRoutes(binding));
        }
        if (binding.kind() instanceof UdpPort udp) {
            return new ServedPort.Udp(binding, udp.route() != null ? new L4Targets(udp.route()) : null);
        }
        throw new IllegalArgumentException("no part of the data plane serves " + binding.kind());
    }

    private Map<CertificateBundle, SslContext> certificateCache() {
        final Map<CertificateBundle, SslContext> all = new HashMap<>();
        for (ServedPort port : ports.values()) {
            if (port instanceof ServedPort.Http http && http.index().sniMapping() != null) {
                all.putAll(http.index().sniMapping().contexts());
            }
        }
        return all;
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
