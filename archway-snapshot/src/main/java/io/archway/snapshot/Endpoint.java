package io.archway.snapshot;

import java.util.Objects;

/** One ready upstream address (an EndpointSlice endpoint address with the resolved target port). */
public record Endpoint(String address, int port) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
    }

    @Override
    public String toString() {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
