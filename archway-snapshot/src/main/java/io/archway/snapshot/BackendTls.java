package io.archway.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * How the gateway speaks TLS to a backend: from the BackendTLSPolicy that targets its Service port
 * (GEP-1897) and, for the client certificate, from the Gateway's {@code spec.tls.backend}.
 *
 * @param policy the BackendTLSPolicy this came from ({@code namespace/name})
 * @param hostname {@code validation.hostname}: the SNI sent, and the name the certificate must
 *     carry unless {@code subjectAltNames} is set
 * @param caCertificatesPem the CA bundle from {@code validation.caCertificateRefs} (concatenated
 *     ConfigMap {@code ca.crt}), or null with {@code systemTrust}
 * @param systemTrust {@code wellKnownCACertificates: System}: the JDK's default trust store
 * @param subjectAltNames {@code validation.subjectAltNames}: when not empty, the certificate must
 *     carry one of them and {@code hostname} is only the SNI
 * @param clientCertificate the certificate the gateway presents (GatewayBackendClientCertificate),
 *     or null
 * @param refusal null when the policy can be used; else why not (the policy has no valid CA
 *     certificate: BackendTLSPolicyValidation says the backend's traffic must then fail rather
 *     than go out unverified or in cleartext), and the backend's share is answered with 500
 */
public record BackendTls(String policy, String hostname, String caCertificatesPem, boolean systemTrust,
                         List<SubjectAltName> subjectAltNames, CertificateBundle clientCertificate, String refusal) {
    public BackendTls {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(hostname, "hostname");
        subjectAltNames = List.copyOf(Objects.requireNonNull(subjectAltNames, "subjectAltNames"));
        if (refusal == null && caCertificatesPem == null && !systemTrust) {
            throw new IllegalArgumentException("a CA bundle or the system trust is required");
        }
    }

    /** Settings whose traffic fails: the policy targets the backend but has no valid CA certificate. */
    public static BackendTls refused(String policy, String hostname, String refusal) {
        return new BackendTls(policy, hostname, null, false, List.of(), null, Objects.requireNonNull(refusal));
    }

    /** The same settings presenting {@code certificate} to the backend. */
    public BackendTls withClientCertificate(CertificateBundle certificate) {
        return new BackendTls(policy, hostname, caCertificatesPem, systemTrust, subjectAltNames, certificate, refusal);
    }

    /** A SAN the backend's certificate may carry (BackendTLSPolicySANValidation). */
    public record SubjectAltName(Type type, String value) {
        public enum Type { HOSTNAME, URI }

        public SubjectAltName {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }
    }
}
