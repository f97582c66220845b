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

    // equals and hashCode written out, as the record would generate them (the same hash): a record's
    // own are linked on their first call by java.lang.runtime.ObjectMethods, which spins method
    // handles on every start, not held by the JDK 25 AOT cache (docs/PERFORMANCE.md, start-up, session 8).
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Endpoint e && port == e.port && address.equals(e.address);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + Integer.hashCode(port);
    }
}
