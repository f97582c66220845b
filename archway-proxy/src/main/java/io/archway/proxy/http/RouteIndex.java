package io.archway.proxy.http;

import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.dispatch.CompiledPort;

/**
 * The immutable routing structure of one socket, compiled from a {@link PortBinding} off the event
 * loop: an adapter over the shared {@link CompiledPort} (the same dispatch {@code archway explain}
 * reports with). Dispatch: the listener whose hostname matches the request host most specifically,
 * then that listener's most specific matching virtual host (no fall-through to a less specific
 * one), then the first route entry whose conditions hold (entries are already in precedence order).
 */
public final class RouteIndex {
    private final PortBinding binding;
    private final CompiledPort<CompiledRoute> dispatch;
    private final SniCertificateMapping sniMapping;
    private final boolean https;

    /** @param binding an HTTP socket ({@link HttpPort}) */
    public RouteIndex(PortBinding binding, SniCertificateMapping sniMapping) {
        this.binding = binding;
        this.sniMapping = sniMapping;
        this.dispatch = new CompiledPort<>(binding, CompiledRoute::new);
        this.https = ((HttpPort) binding.kind()).protocol() == ListenerProtocol.HTTPS;
    }

    public PortBinding binding() {
        return binding;
    }

    /** The shared dispatcher of this socket (explain-style traces of a request). */
    public CompiledPort<CompiledRoute> dispatcher() {
        return dispatch;
    }

    public boolean isHttps() {
        return https;
    }

    public String scheme() {
        return isHttps() ? "https" : "http";
    }

    /** The Gateway listener port as written in the spec; redirects show this one. */
    public int specPort() {
        return binding.port();
    }

    /** Certificates by SNI for an HTTPS port; null for HTTP. */
    public SniCertificateMapping sniMapping() {
        return sniMapping;
    }

    /**
     * Whether an HTTPS request is misdirected: the listener its Host selects is not the one the
     * connection's SNI name selected (Gateway API GatewayHTTPSListenerDetectMisdirectedRequests:
     * answer 421, RFC 9110 section 15.5.20). Connection reuse across hostnames (HTTP/2
     * coalescing) must not carry a request into another listener's routes.
     */
    public boolean misdirected(String sniHost, String host) {
        return dispatch.listenerIndex(Hostnames.normalizeHost(sniHost)) != dispatch.listenerIndex(host);
    }

    /** The first matching route entry, or null (404). */
    CompiledRoute route(RequestView request) {
        return dispatch.route(request);
    }
}
