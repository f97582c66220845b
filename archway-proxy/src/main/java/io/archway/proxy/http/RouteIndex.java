package io.archway.proxy.http;

import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.VirtualHost;
import java.util.List;

/**
 * The immutable routing structure of one socket, compiled from a {@link PortBinding} off the event
 * loop. Dispatch: the listener whose hostname matches the request host most specifically, then
 * that listener's most specific matching virtual host (no fall-through to a less specific one),
 * then the first route entry whose conditions hold (entries are already in precedence order).
 */
public final class RouteIndex {
    private final PortBinding binding;
    private final CompiledListener[] listeners;
    private final SniCertificateMapping sniMapping;

    public RouteIndex(PortBinding binding, SniCertificateMapping sniMapping) {
        this.binding = binding;
        this.sniMapping = sniMapping;
        final List<ListenerEntry> entries = binding.listeners();
        this.listeners = new CompiledListener[entries.size()];
        for (int i = 0; i < listeners.length; i++) {
            listeners[i] = new CompiledListener(entries.get(i));
        }
    }

    public PortBinding binding() {
        return binding;
    }

    public boolean isHttps() {
        return binding.protocol() == ListenerProtocol.HTTPS;
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
        return mostSpecific(listeners, Hostnames.normalizeHost(sniHost)) != mostSpecific(listeners, host);
    }

    /** The first matching route entry, or null (404). */
    CompiledRoute route(RequestView request) {
        final CompiledListener listener = mostSpecific(listeners, request.host());
        if (listener == null) {
            return null;
        }
        final CompiledVirtualHost vhost = mostSpecific(listener.virtualHosts, request.host());
        if (vhost == null) {
            return null;
        }
        for (CompiledRoute route : vhost.routes) {
            if (route.matcher().matches(request)) {
                return route;
            }
        }
        return null;
    }

    /** The candidate whose pattern matches {@code host} with the highest specificity; first wins ties. */
    private static <T extends HostPattern> T mostSpecific(T[] candidates, String host) {
        T best = null;
        int bestScore = -1;
        for (T c : candidates) {
            if (c.specificity() > bestScore && Hostnames.matches(c.pattern(), host)) {
                best = c;
                bestScore = c.specificity();
            }
        }
        return best;
    }

    private interface HostPattern {
        String pattern();

        int specificity();
    }

    private static final class CompiledListener implements HostPattern {
        private final String hostname;
        private final int specificity;
        private final CompiledVirtualHost[] virtualHosts;

        CompiledListener(ListenerEntry entry) {
            this.hostname = entry.hostname();
            this.specificity = Hostnames.specificity(hostname);
            final List<VirtualHost> vhosts = entry.virtualHosts();
            this.virtualHosts = new CompiledVirtualHost[vhosts.size()];
            for (int i = 0; i < virtualHosts.length; i++) {
                virtualHosts[i] = new CompiledVirtualHost(vhosts.get(i));
            }
        }

        @Override
        public String pattern() {
            return hostname;
        }

        @Override
        public int specificity() {
            return specificity;
        }
    }

    private static final class CompiledVirtualHost implements HostPattern {
        private final String hostname;
        private final int specificity;
        private final CompiledRoute[] routes;

        CompiledVirtualHost(VirtualHost vhost) {
            this.hostname = vhost.hostname();
            this.specificity = Hostnames.specificity(hostname);
            this.routes = new CompiledRoute[vhost.routes().size()];
            for (int i = 0; i < routes.length; i++) {
                routes[i] = new CompiledRoute(vhost.routes().get(i));
            }
        }

        @Override
        public String pattern() {
            return hostname;
        }

        @Override
        public int specificity() {
            return specificity;
        }
    }
}
