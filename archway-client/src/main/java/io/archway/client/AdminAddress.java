package io.archway.client;

import java.net.URI;

/** Turns an admin endpoint as users type it ({@code 127.0.0.1:9901}, {@code http://host:9901/}) into a base URI. */
public final class AdminAddress {

    private AdminAddress() {}

    /** The base URI without a trailing slash; {@code http://} is assumed when no scheme is given. */
    public static URI parse(String address) {
        String a = address.strip();
        if (a.isEmpty()) {
            throw new IllegalArgumentException("empty admin address");
        }
        if (!a.contains("://")) {
            a = "http://" + a;
        }
        URI uri = URI.create(a.replaceAll("/+$", ""));
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + address + "' is not an admin address such as 127.0.0.1:9901");
        }
        return uri;
    }
}
