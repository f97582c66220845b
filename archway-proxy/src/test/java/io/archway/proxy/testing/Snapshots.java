package io.archway.proxy.testing;

import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.TcpPort;
import io.archway.snapshot.TlsPort;
import io.archway.snapshot.UdpPort;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.WeightedBackend;
import java.util.List;

/** Hand-built snapshot pieces for tests. */
public final class Snapshots {
    private Snapshots() {
    }

    public static RoutingSnapshot snapshot(long version, PortBinding... ports) {
        return new RoutingSnapshot(version, List.of(ports));
    }

    public static PortBinding http(int port, ListenerEntry... listeners) {
        return new PortBinding("127.0.0.1", port, new HttpPort(ListenerProtocol.HTTP, List.of(listeners)));
    }

    public static PortBinding https(int port, ListenerEntry... listeners) {
        return new PortBinding("127.0.0.1", port, new HttpPort(ListenerProtocol.HTTPS, List.of(listeners)));
    }

    public static ListenerEntry listener(String name, String hostname, List<CertificateBundle> certs,
                                         VirtualHost... vhosts) {
        return new ListenerEntry(new ListenerOrigin("ns", "gw", name), hostname, certs, List.of(vhosts));
    }

    public static ListenerEntry listener(String hostname, VirtualHost... vhosts) {
        return listener("l-" + hostname, hostname, List.of(), vhosts);
    }

    public static VirtualHost vhost(String hostname, HttpRouteEntry... routes) {
        return new VirtualHost(hostname, List.of(routes));
    }

    public static HttpRouteEntry route(String name, PathMatch path, List<HttpFilter> filters,
                                       WeightedBackend... backends) {
        return route(name, new HttpRequestMatch(path, null, List.of(), List.of()), filters, backends);
    }

    public static HttpRouteEntry route(String name, HttpRequestMatch match, List<HttpFilter> filters,
                                       WeightedBackend... backends) {
        return new HttpRouteEntry(new RouteOrigin("HTTPRoute", "ns", name, 0, null, 0), match, filters,
                List.of(backends));
    }

    public static HttpRouteEntry prefix(String name, String prefix, WeightedBackend... backends) {
        return route(name, new PathMatch(PathMatch.Type.PATH_PREFIX, prefix), List.of(), backends);
    }

    public static WeightedBackend backend(String name, int weight, int... ports) {
        final Endpoint[] eps = new Endpoint[ports.length];
        for (int i = 0; i < ports.length; i++) {
            eps[i] = new Endpoint("127.0.0.1", ports[i]);
        }
        return new WeightedBackend(new BackendOrigin("Service", "ns", name, 80), weight, AppProtocol.HTTP1,
                List.of(eps), null, List.of());
    }

    public static WeightedBackend invalidBackend(String name) {
        return new WeightedBackend(new BackendOrigin("Service", "ns", name, 80), 1, AppProtocol.HTTP1, List.of(),
                "BackendNotFound", List.of());
    }

    /** A TCP listener's socket; {@code route} may be null (no TCPRoute attached). */
    public static PortBinding tcp(int port, L4Route route) {
        return new PortBinding("127.0.0.1", port, new TcpPort(new ListenerOrigin("ns", "gw", "tcp-" + port), route));
    }

    /** A UDP listener's socket; {@code route} may be null (no UDPRoute attached). */
    public static PortBinding udp(int port, L4Route route) {
        return new PortBinding("127.0.0.1", port, new UdpPort(new ListenerOrigin("ns", "gw", "udp-" + port), route));
    }

    /** The rule of a TCPRoute or UDPRoute named {@code name}. */
    public static L4Route l4(String kind, String name, WeightedBackend... backends) {
        return new L4Route(new RouteOrigin(kind, "ns", name, 0, null, 0), List.of(backends));
    }

    /** A TLS socket of these listeners. */
    public static PortBinding tls(int port, TlsPort.TlsListener... listeners) {
        return new PortBinding("127.0.0.1", port, new TlsPort(List.of(listeners)));
    }

    /** A TLS Passthrough listener; {@code hostname} null for any. */
    public static TlsPort.TlsListener passthrough(String name, String hostname, TlsPort.SniRoute... routes) {
        return TlsPort.TlsListener.passthrough(new ListenerOrigin("ns", "gw", name), hostname, List.of(routes));
    }

    /** A TLS Terminate listener presenting {@code certificates}; {@code hostname} null for any. */
    public static TlsPort.TlsListener terminate(String name, String hostname, List<CertificateBundle> certificates,
                                                TlsPort.SniRoute... routes) {
        return TlsPort.TlsListener.terminate(new ListenerOrigin("ns", "gw", name), hostname, certificates,
                List.of(routes));
    }

    /** A TLSRoute named {@code name} served for {@code hostname} ({@code *} for any). */
    public static TlsPort.SniRoute sni(String hostname, String name, WeightedBackend... backends) {
        return new TlsPort.SniRoute(hostname, l4("TLSRoute", name, backends));
    }
}
