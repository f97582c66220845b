package io.archway.proxy.http;

import java.util.Objects;

/** Identifies a socket: the bind address and the Gateway listener port as written in the spec. */
public record PortKey(String address, int port) {
    public PortKey {
        Objects.requireNonNull(address, "address");
    }

    @Override
    public String toString() {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
