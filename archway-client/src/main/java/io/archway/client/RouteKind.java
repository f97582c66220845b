package io.archway.client;

import java.util.Locale;

/** The route kinds whose backend weights the client can edit. */
public enum RouteKind {
    HTTP_ROUTE("HTTPRoute", "httproutes"),
    GRPC_ROUTE("GRPCRoute", "grpcroutes");

    private final String kind;
    private final String plural;

    RouteKind(String kind, String plural) {
        this.kind = kind;
        this.plural = plural;
    }

    /** The Kubernetes {@code kind}, e.g. {@code HTTPRoute}. */
    public String kind() {
        return kind;
    }

    /** The lower-case plural resource name, e.g. {@code httproutes}. */
    public String plural() {
        return plural;
    }

    /** Parses {@code HTTPRoute}, {@code httproute}, {@code httproutes}, {@code http} and the GRPC equivalents. */
    public static RouteKind parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (RouteKind k : values()) {
            String lower = k.kind.toLowerCase(Locale.ROOT);
            if (t.equals(lower) || t.equals(k.plural) || t.equals(lower.replace("route", ""))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown route kind '" + text + "' (expected HTTPRoute or GRPCRoute)");
    }
}
