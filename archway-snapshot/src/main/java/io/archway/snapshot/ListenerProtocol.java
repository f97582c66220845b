package io.archway.snapshot;

/** A Gateway listener's protocol, of those Archway serves. */
public enum ListenerProtocol {
    /** Plain-text HTTP/1.1 (and h2c). */
    HTTP(Transport.TCP),
    /** TLS terminated by the gateway, then HTTP/1.1 or h2 by ALPN. */
    HTTPS(Transport.TCP),
    /**
     * TLS: the ClientHello's server name picks a TLSRoute; in Passthrough mode the encrypted stream
     * is forwarded as it is, in Terminate mode the decrypted one ({@link TlsPort}).
     */
    TLS(Transport.TCP),
    /** A TCP byte stream forwarded as it is (TCPRoute). */
    TCP(Transport.TCP),
    /** UDP datagrams forwarded per client session (UDPRoute). */
    UDP(Transport.UDP);

    private final Transport transport;

    ListenerProtocol(Transport transport) {
        this.transport = transport;
    }

    /** The transport a socket of this protocol listens on. */
    public Transport transport() {
        return transport;
    }
}
