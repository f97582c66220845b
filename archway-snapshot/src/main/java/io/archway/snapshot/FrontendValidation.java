package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * How an HTTPS socket validates client certificates (GatewayFrontendClientCertificateValidation:
 * a Gateway's {@code spec.tls.frontend}, the {@code perPort} entry of the socket's port, else
 * {@code default}). The spec sets it per Gateway port, and a socket is one port of one address, so
 * it lives on the {@link HttpPort}: every listener (and so every certificate chosen by SNI) on the
 * socket asks for the same client certificates.
 *
 * @param sources the ConfigMaps the trust anchors came from, e.g. {@code ConfigMap ns/name}
 * @param caCertificatesPem the {@code ca.crt} PEM of every valid reference, concatenated
 * @param mode whether a client without a valid certificate is refused
 */
public record FrontendValidation(List<String> sources, String caCertificatesPem, Mode mode) {
    /** FrontendValidationModeType. */
    public enum Mode {
        /** AllowValidOnly (the default): the handshake fails unless the client presents a certificate the CAs validate. */
        ALLOW_VALID_ONLY,
        /** AllowInsecureFallback: a certificate is asked for, but a missing or invalid one is accepted. */
        ALLOW_INSECURE_FALLBACK
    }

    public FrontendValidation {
        sources = List.copyOf(Objects.requireNonNull(sources, "sources"));
        Objects.requireNonNull(caCertificatesPem, "caCertificatesPem");
        Objects.requireNonNull(mode, "mode");
    }

    @Override
    public String toString() {
        return "FrontendValidation[" + mode + " " + String.join(", ", sources) + "]";
    }
}
