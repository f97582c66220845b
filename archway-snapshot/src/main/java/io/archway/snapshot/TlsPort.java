package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A socket of TLS listeners (TLSRoute), each in Passthrough or Terminate mode; one port may mix
 * both (TLSRouteModeMixed). The ClientHello's server name (SNI) picks the listener whose hostname
 * matches it most specifically, then that listener's route whose hostname matches it most
 * specifically (see {@link io.archway.snapshot.dispatch.SniDispatch}). A Passthrough listener
 * forwards the raw TLS bytes, ClientHello included, to one of the route's backends; a Terminate
 * listener completes the handshake with its own certificate and forwards the decrypted byte
 * stream. A ClientHello without SNI, or one no listener and route match, gets the connection
 * closed.
 *
 * @param listeners most specific hostname first (see {@link Hostnames#specificity})
 */
public record TlsPort(List<TlsListener> listeners) implements PortKind {
    public TlsPort {
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

    /** What a TLS listener does with the TLS session (Listener.tls.mode). */
    public enum Mode {
        /** The gateway reads the ClientHello only and forwards the encrypted bytes. */
        PASSTHROUGH,
        /** The gateway completes the handshake with its certificate and forwards the plaintext. */
        TERMINATE
    }

    /**
     * One TLS listener and its routes.
     *
     * @param hostname the listener hostname; null matches any server name
     * @param mode passthrough or terminate
     * @param certificates for TERMINATE: the certificates to present, first one preferred (one whose
     *     subjectAltName covers the server name wins over it). Empty for PASSTHROUGH; empty for
     *     TERMINATE when this revision of the listener's certificate Secrets is invalid, and the data
     *     plane then keeps presenting the certificates it served the listener with before, if any
     * @param routes by the effective hostname each serves, most specific first
     */
    public record TlsListener(ListenerOrigin origin, String hostname, Mode mode, List<CertificateBundle> certificates,
                              List<SniRoute> routes) {
        public TlsListener {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(mode, "mode");
            certificates = List.copyOf(Objects.requireNonNull(certificates, "certificates"));
            routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
            if (mode == Mode.PASSTHROUGH && !certificates.isEmpty()) {
                throw new IllegalArgumentException("a Passthrough listener presents no certificate: " + origin);
            }
        }

        /** A Passthrough listener. */
        public static TlsListener passthrough(ListenerOrigin origin, String hostname, List<SniRoute> routes) {
            return new TlsListener(origin, hostname, Mode.PASSTHROUGH, List.of(), routes);
        }

        /** A Terminate listener presenting {@code certificates}. */
        public static TlsListener terminate(ListenerOrigin origin, String hostname, List<CertificateBundle> certificates,
                                            List<SniRoute> routes) {
            return new TlsListener(origin, hostname, Mode.TERMINATE, certificates, routes);
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
