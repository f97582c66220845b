package io.archway.snapshot;

import java.util.Objects;

/**
 * A serving certificate and its key, in PEM, as read from a {@code kubernetes.io/tls} Secret.
 *
 * @param source where it came from, e.g. {@code Secret gateway-conformance-infra/tls-cert}
 * @param certificateChainPem {@code tls.crt}
 * @param privateKeyPem {@code tls.key}
 */
public record CertificateBundle(String source, String certificateChainPem, String privateKeyPem) {
    public CertificateBundle {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(certificateChainPem, "certificateChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    }

    @Override
    public String toString() {
        // Never print key material.
        return "CertificateBundle[" + source + "]";
    }
}
