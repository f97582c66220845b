package io.archway.proxy.listener;

import io.archway.proxy.http.RouteIndex;
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
}
