package io.archway.snapshot;

/**
 * What one socket serves, after the translator resolved listener compatibility on its port: each
 * kind is served by its own part of the data plane.
 */
public sealed interface PortKind permits HttpPort, TcpPort, UdpPort, TlsPort {
    /** The transport the socket listens on. */
    Transport transport();

    /**
     * What the socket speaks, as operators and URLs name it: {@code http}, {@code https},
     * {@code tls}, {@code tcp}, {@code udp}.
     */
    String protocolName();
}
