package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One Gateway listener as served: its hostname, its certificates and the virtual hosts of the
 * routes attached to it. Routes attached to another listener are never visible here (listener
 * isolation).
 *
 * @param origin which Gateway listener this is
 * @param hostname the listener hostname ({@code foo.example.com} or {@code *.example.com}); null
 *     matches any host
 * @param certificates for HTTPS: the certificates to present, first one preferred; empty for HTTP
 * @param virtualHosts most specific hostname first; see {@link VirtualHost}
 */
public record ListenerEntry(ListenerOrigin origin, String hostname, List<CertificateBundle> certificates,
                            List<VirtualHost> virtualHosts) {
    public ListenerEntry {
        Objects.requireNonNull(origin, "origin");
        certificates = List.copyOf(Objects.requireNonNull(certificates, "certificates"));
        virtualHosts = List.copyOf(Objects.requireNonNull(virtualHosts, "virtualHosts"));
    }
}
