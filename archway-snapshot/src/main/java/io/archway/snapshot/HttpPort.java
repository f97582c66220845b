package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An HTTP or HTTPS socket: every Gateway listener that shares its address and port.
 *
 * <p>A request is dispatched to the {@link ListenerEntry} whose hostname matches its host most
 * specifically (exact, then the longest wildcard suffix, then a listener without hostname); see
 * {@link Hostnames#specificity}. Listeners are kept in that precedence order.
 *
 * @param protocol HTTP, or HTTPS (TLS terminated by SNI, then HTTP/1.1 or h2 by ALPN)
 * @param listeners the Gateway listeners served on this socket, most specific hostname first
 * @param clientValidation for HTTPS: the client certificates the handshake asks for; null when it asks for none
 */
public record HttpPort(ListenerProtocol protocol, List<ListenerEntry> listeners, FrontendValidation clientValidation)
        implements PortKind {
    public HttpPort {
        if (protocol != ListenerProtocol.HTTP && protocol != ListenerProtocol.HTTPS) {
            throw new IllegalArgumentException("an HTTP socket speaks HTTP or HTTPS, not " + protocol);
        }
        if (clientValidation != null && protocol != ListenerProtocol.HTTPS) {
            throw new IllegalArgumentException("client certificates are validated on HTTPS sockets only");
        }
        listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
    }

    /** A socket that asks for no client certificate. */
    public HttpPort(ListenerProtocol protocol, List<ListenerEntry> listeners) {
        this(protocol, listeners, null);
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
    }

    @Override
    public String protocolName() {
        return protocol == ListenerProtocol.HTTPS ? "https" : "http";
    }
}
