package io.archway.proxy.http;

import java.net.InetSocketAddress;

/**
 * An upstream endpoint and its pool key. The socket address is created unresolved-free once per
 * snapshot (endpoints are IP literals), so connecting does no DNS lookup on an event loop.
 */
public final class UpstreamAddress {
    private final String host;
    private final int port;
    private final InetSocketAddress socketAddress;
    private final String key;

    public UpstreamAddress(String host, int port) {
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

    /** {@code host:port}, also used as the Host header of HTTP/1.0 requests that had none. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamAddress other && other.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
