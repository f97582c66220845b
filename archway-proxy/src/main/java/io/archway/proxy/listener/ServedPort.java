package io.archway.proxy.listener;

import io.archway.proxy.balance.L4Targets;
import io.archway.proxy.http.RouteIndex;
import io.archway.proxy.tls.TlsRoutes;
import io.archway.snapshot.PortBinding;

/**
 * One socket of a {@link CompiledSnapshot}, compiled for the part of the data plane that serves
 * its kind; {@link ListenerManager} and {@link DownstreamChannelInitializer} switch on this type.
 */
sealed interface ServedPort {
    PortBinding binding();

    /** What the socket speaks ({@link io.archway.snapshot.PortKind#protocolName()}). */
    default String protocolName() {
        return binding().kind().protocolName();
    }

    /**
     * Whether connections accepted for this port may go on under {@code other}: not when the
     * socket switched protocol (no plain-text connection outlives a switch to TLS).
     */
    default boolean sameProtocol(ServedPort other) {
        return protocolName().equals(other.protocolName());
    }

    /** An HTTP or HTTPS socket: request dispatch and, for HTTPS, certificates by SNI. */
    record Http(RouteIndex index) implements ServedPort {
        @Override
        public PortBinding binding() {
            return index.binding();
        }
    }

    /**
     * A TCP socket forwarding each connection to a backend of its TCPRoute.
     *
     * @param targets the route compiled; null when the listener has no route (connections are
     *     closed at once)
     */
    record Tcp(PortBinding binding, L4Targets targets) implements ServedPort {
    }

    /**
     * A TLS socket forwarding each connection, by the server name of its ClientHello, to a backend
     * of the TLSRoute serving that name: as it is (Passthrough listener) or decrypted (Terminate).
     */
    record Tls(TlsRoutes routes) implements ServedPort {
        @Override
        public PortBinding binding() {
            return routes.binding();
        }
    }

    /**
     * A UDP socket forwarding each client session to a backend of its UDPRoute.
     *
     * @param targets the route compiled; null when the listener has no route (datagrams dropped)
     */
    record Udp(PortBinding binding, L4Targets targets) implements ServedPort {
    }
}
