package io.archway.snapshot;

import java.util.Objects;

/**
 * Identifies a socket: the bind address, the Gateway listener port as written in the spec, and
 * the transport (a TCP and a UDP listener on one port number are two sockets).
 */
public record SocketKey(String address, int port, Transport transport) {
    public SocketKey {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
    }

    @Override
    public String toString() {
        final String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return host + ":" + port + (transport == Transport.UDP ? "/udp" : "");
    }
}
