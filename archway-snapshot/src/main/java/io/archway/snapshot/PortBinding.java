package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One socket to serve: every Gateway listener that shares an address and port lands here.
 *
 * <p>A request is dispatched to the {@link ListenerEntry} whose hostname matches its host most
 * specifically (exact, then the longest wildcard suffix, then a listener without hostname); see
 * {@link Hostnames#specificity}. Listeners are kept in that precedence order.
 *
 * @param address IP literal to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port the Gateway listener port as written in the spec; the data plane may add a
 *     configured offset when it binds (the spec port still appears in redirects)
 * @param protocol what the socket speaks
 * @param listeners the Gateway listeners served on this socket, most specific hostname first
 */
public record PortBinding(String address, int port, ListenerProtocol protocol, List<ListenerEntry> listeners) {
    public PortBinding {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
    }
}
