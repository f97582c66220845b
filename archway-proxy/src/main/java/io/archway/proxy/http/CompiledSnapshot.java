package io.archway.proxy.http;

import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RoutingSnapshot;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RoutingSnapshot} compiled for serving: one {@link RouteIndex} per socket, regular
 * expressions compiled and SslContexts built. Immutable once built; the data plane swaps it as a
 * whole. Compiling is CPU work (TLS contexts especially) and never runs on an event loop.
 */
public final class CompiledSnapshot {
    private static final CompiledSnapshot EMPTY = new CompiledSnapshot(RoutingSnapshot.empty(), Map.of());

    private final RoutingSnapshot snapshot;
    private final Map<PortKey, RouteIndex> ports;

    private CompiledSnapshot(RoutingSnapshot snapshot, Map<PortKey, RouteIndex> ports) {
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
        final Map<PortKey, RouteIndex> ports = new LinkedHashMap<>();
        for (PortBinding binding : snapshot.ports()) {
            SniCertificateMapping sni = null;
            if (binding.protocol() == ListenerProtocol.HTTPS) {
                sni = SniCertificateMapping.build(binding.listeners(), contexts, previous.certificateCache());
            }
            ports.put(new PortKey(binding.address(), binding.port()), new RouteIndex(binding, sni));
        }
        return new CompiledSnapshot(snapshot, Map.copyOf(ports));
    }

    private Map<CertificateBundle, SslContext> certificateCache() {
        final Map<CertificateBundle, SslContext> all = new HashMap<>();
        for (RouteIndex index : ports.values()) {
            if (index.sniMapping() != null) {
                all.putAll(index.sniMapping().contexts());
            }
        }
        return all;
    }

    public RoutingSnapshot snapshot() {
        return snapshot;
    }

    public Map<PortKey, RouteIndex> ports() {
        return ports;
    }

    /** The routing of one socket, or null when this snapshot does not serve it. */
    public RouteIndex port(PortKey key) {
        return ports.get(key);
    }
}
