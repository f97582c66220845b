package io.archway.server;

import java.util.Locale;
import java.util.Optional;

/** The kinds the status view and the admin endpoint serve, and their plural names. */
public final class Kinds {
    public static final String GATEWAY_CLASS = "GatewayClass";
    public static final String GATEWAY = "Gateway";
    public static final String HTTP_ROUTE = "HTTPRoute";

    private Kinds() {
    }

    /**
     * Accepts a kind or a kubectl-style name: {@code Gateway}, {@code gateway}, {@code gateways},
     * {@code gtw}; {@code GatewayClass}, {@code gatewayclasses}, {@code gc}; {@code HTTPRoute},
     * {@code httproutes}.
     */
    public static Optional<String> normalise(String name) {
        if (name == null) {
            return Optional.empty();
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "gatewayclass": case "gatewayclasses": case "gc":
                return Optional.of(GATEWAY_CLASS);
            case "gateway": case "gateways": case "gtw":
                return Optional.of(GATEWAY);
            case "httproute": case "httproutes":
                return Optional.of(HTTP_ROUTE);
            default:
                return Optional.empty();
        }
    }

    /** The URL path segment: gatewayclasses, gateways, httproutes. */
    public static String plural(String kind) {
        String lower = kind.toLowerCase(Locale.ROOT);
        return lower.endsWith("s") ? lower + "es" : lower + "s";
    }

    public static boolean clusterScoped(String kind) {
        return GATEWAY_CLASS.equals(kind);
    }
}
