package io.archway.snapshot;

import java.util.Objects;

/**
 * A TCP listener's socket: each accepted connection is forwarded, byte for byte, to a backend of
 * the listener's route.
 *
 * @param listener the Gateway listener (protocol TCP)
 * @param route the oldest TCPRoute attached to it (TCPRoute: only one route is attached to a
 *     listener); null when none is, and connections are then closed at once
 */
public record TcpPort(ListenerOrigin listener, L4Route route) implements PortKind {
    public TcpPort {
        Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
    }

    @Override
    public String protocolName() {
        return "tcp";
    }
}
