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

    // equals and hashCode written out, as the record would generate them (the same hash): a record's
    // own are linked on their first call by java.lang.runtime.ObjectMethods, which spins method
    // handles on every start, not held by the JDK 25 AOT cache (docs/PERFORMANCE.md, start-up, session 8).
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof SocketKey k
                && port == k.port && transport == k.transport && address.equals(k.address);
    }

    @Override
    public int hashCode() {
        return (address.hashCode() * 31 + Integer.hashCode(port)) * 31 + transport.hashCode();
    }
}
