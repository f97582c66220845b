package io.archway.translate.bind;

import io.archway.snapshot.Hostnames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The effective hostnames of a route on a listener (HTTPRouteSpec.hostnames): the route hostnames
 * that intersect the listener hostname. An exact name intersects a wildcard that matches it and
 * yields the exact name; two wildcards intersect when one matches the other and yield the more
 * specific; a listener without hostname accepts every route hostname; a route without hostnames
 * takes the listener's.
 */
public final class HostnameIntersection {
    /** The hostname of a virtual host that serves any host. */
    public static final String ANY = "*";

    private HostnameIntersection() {
    }

    /**
     * @param listenerHostname null or empty for any host
     * @param routeHostnames null or empty for any host
     * @return the effective hostnames, in route order without duplicates; {@code *} for any; empty
     *     when they do not intersect
     */
    public static List<String> intersect(String listenerHostname, List<String> routeHostnames) {
        final String listener = listenerHostname == null || listenerHostname.isEmpty() ? null
                : listenerHostname.toLowerCase(Locale.ROOT);
        if (routeHostnames == null || routeHostnames.isEmpty()) {
            return List.of(listener == null ? ANY : listener);
        }
        final Set<String> out = new LinkedHashSet<>();
        for (String raw : routeHostnames) {
            final String route = raw.toLowerCase(Locale.ROOT);
            if (listener == null || Hostnames.matches(listener, route)) {
                out.add(route);
            } else if (route.startsWith("*.") && Hostnames.matches(route, listener)) {
                out.add(listener);
            }
        }
        return new ArrayList<>(out);
    }
}
