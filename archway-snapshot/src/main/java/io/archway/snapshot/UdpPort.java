package io.archway.snapshot;

import java.util.Objects;

/**
 * A UDP listener's socket: datagrams from one client address and port form a session forwarded to
 * one backend of the listener's route, whose replies go back to that client.
 *
 * @param listener the Gateway listener (protocol UDP)
 * @param route the oldest UDPRoute attached to it; null when none is, and datagrams are dropped
 */
public record UdpPort(ListenerOrigin listener, L4Route route) implements PortKind {
    public UdpPort {
        Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Transport transport() {
        return Transport.UDP;
    }

    @Override
    public String protocolName() {
        return "udp";
    }
}
