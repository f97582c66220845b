package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * The routes of one listener that share one effective hostname (the intersection of the route's
 * hostnames with the listener's). A request is served by the most specific virtual host that
 * matches its host (HTTPRouteSpec.hostnames: the most characters in a matching non-wildcard
 * hostname, then in a matching hostname); there is no fall-through to a less specific one.
 *
 * @param hostname {@code foo.example.com}, {@code *.example.com}, or {@code *} for any host
 * @param routes sorted by the spec's match precedence: the data plane takes the first that matches
 */
public record VirtualHost(String hostname, List<HttpRouteEntry> routes) {
    public VirtualHost {
        Objects.requireNonNull(hostname, "hostname");
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
    }
}
