package io.archway.translate.golden;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.StringMatchType;
import io.archway.snapshot.VirtualHost;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A test-only model of the data plane's dispatch as the snapshot contract describes it (socket,
 * most specific listener, most specific virtual host without fall-through, first matching entry),
 * so translator tests can check which entry a request reaches without sockets.
 */
final class SnapshotDispatcher {
    private SnapshotDispatcher() {
    }

    /** The entry a request reaches, or empty for a 404. */
    static Optional<HttpRouteEntry> dispatch(RoutingSnapshot snapshot, String address, int port, String host,
                                             String method, String pathAndQuery, Map<String, String> headers) {
        final PortBinding binding = snapshot.ports().stream()
                .filter(p -> p.address().equals(address) && p.port() == port).findFirst().orElse(null);
        if (binding == null) {
            return Optional.empty();
        }
        final String normalized = Hostnames.normalizeHost(host);
        final ListenerEntry listener = binding.listeners().stream()
                .filter(l -> Hostnames.matches(l.hostname(), normalized)).findFirst().orElse(null);
        if (listener == null) {
            return Optional.empty();
        }
        final VirtualHost vhost = listener.virtualHosts().stream()
                .filter(v -> Hostnames.matches(v.hostname(), normalized)).findFirst().orElse(null);
        if (vhost == null) {
            return Optional.empty();
        }
        final int q = pathAndQuery.indexOf('?');
        final String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        final List<String[]> query = new ArrayList<>();
        if (q >= 0) {
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                final String[] kv = pair.split("=", 2);
                query.add(new String[] {decode(kv[0]), kv.length > 1 ? decode(kv[1]) : ""});
            }
        }
        return vhost.routes().stream().filter(e -> matches(e.match(), method, path, query, headers)).findFirst();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static boolean matches(HttpRequestMatch m, String method, String path, List<String[]> query,
                                   Map<String, String> headers) {
        if (m.method() != null && !m.method().equals(method)) {
            return false;
        }
        if (!pathMatches(m.path(), path)) {
            return false;
        }
        for (HeaderMatch h : m.headers()) {
            final String value = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(h.name()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (value == null || !valueMatches(h.type(), h.value(), value)) {
                return false;
            }
        }
        for (QueryParamMatch qp : m.queryParams()) {
            final String value = query.stream().filter(kv -> kv[0].equals(qp.name())).map(kv -> kv[1])
                    .findFirst().orElse(null);
            if (value == null || !valueMatches(qp.type(), qp.value(), value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueMatches(StringMatchType type, String expected, String actual) {
        return type == StringMatchType.EXACT ? expected.equals(actual) : Pattern.compile(expected).matcher(actual).matches();
    }

    private static boolean pathMatches(PathMatch m, String path) {
        switch (m.type()) {
            case EXACT:
                return m.value().equals(path);
            case REGULAR_EXPRESSION:
                return Pattern.compile(m.value()).matcher(path).matches();
            default:
                final String prefix = m.value().endsWith("/") ? m.value().substring(0, m.value().length() - 1)
                        : m.value();
                return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
        }
    }
}
