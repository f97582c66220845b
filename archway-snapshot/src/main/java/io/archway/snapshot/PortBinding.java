package io.archway.snapshot;

import java.util.Objects;

/**
 * One socket to serve and what it serves.
 *
 * @param address IP literal to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port the Gateway listener port as written in the spec; the data plane may add a
 *     configured offset when it binds (the spec port still appears in redirects)
 * @param kind what the socket serves: its transport and its listeners
 */
public record PortBinding(String address, int port, PortKind kind) {
    public PortBinding {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
    }

    public SocketKey key() {
        return new SocketKey(address, port, kind.transport());
    }
}
