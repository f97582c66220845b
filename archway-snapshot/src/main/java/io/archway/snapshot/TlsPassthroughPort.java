package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A socket of TLS listeners in Passthrough mode (TLSRoute): the ClientHello's server name (SNI)
 * picks the listener whose hostname matches it most specifically, then that listener's route whose
 * hostname matches it most specifically; the raw TLS bytes, ClientHello included, go to one of the
 * route's backends. A ClientHello without SNI, or one no listener and route match, gets the
 * connection closed.
 *
 * @param listeners most specific hostname first (see {@link Hostnames#specificity})
 */
public record TlsPassthroughPort(List<PassthroughListener> listeners) implements PortKind {
    public TlsPassthroughPort {
        listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
    }

    @Override
    public String protocolName() {
        return "tls";
    }

    /**
     * One TLS Passthrough listener and its routes.
     *
     * @param hostname the listener hostname; null matches any server name
     * @param routes by the effective hostname each serves, most specific first
     */
    public record PassthroughListener(ListenerOrigin origin, String hostname, List<SniRoute> routes) {
        public PassthroughListener {
            Objects.requireNonNull(origin, "origin");
            routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
        }
    }

    /**
     * A TLSRoute's rule served for one effective hostname (the intersection of the route's
     * hostnames with its listener's).
     *
     * @param hostname {@code foo.example.com}, {@code *.example.com}, or {@code *} for any
     */
    public record SniRoute(String hostname, L4Route route) {
        public SniRoute {
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(route, "route");
        }
    }
}
