package io.archway.proxy.http;

import java.net.InetSocketAddress;

/**
 * An upstream endpoint and its pool key: address, port and, for a backend a BackendTLSPolicy
 * targets, the TLS settings (connections made with other settings are never shared). The socket
 * address is created unresolved-free once per snapshot (endpoints are IP literals), so connecting
 * does no DNS lookup on an event loop.
 */
public final class UpstreamAddress {
    private final String host;
    private final int port;
    private final InetSocketAddress socketAddress;
    private final String key;
    private final UpstreamTls tls;

    public UpstreamAddress(String host, int port) {
        this(host, port, null);
    }

    UpstreamAddress(String host, int port, UpstreamTls tls) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        // Endpoint addresses are IP literals (EndpointSlice addresses), which InetSocketAddress
        // parses without a lookup.
        this.socketAddress = new InetSocketAddress(host, port);
        this.key = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** How to speak TLS to it, or null for cleartext. */
    UpstreamTls tls() {
        return tls;
    }

    /** {@code host:port}, also used as the Host header of HTTP/1.0 requests that had none. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamAddress other && other.key.equals(key) && java.util.Objects.equals(other.tls, tls);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + (tls == null ? 0 : tls.hashCode());
    }

    @Override
    public String toString() {
        return tls == null ? key : key + " " + tls;
    }
}
