package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import java.util.List;

/**
 * A Gateway's {@code spec.tls.backend.clientCertificateRef} (GatewayBackendClientCertificate): the
 * {@code kubernetes.io/tls} Secret the gateway presents to backends it speaks TLS to (those a
 * BackendTLSPolicy targets). The reference resolves as a listener's certificateRefs do (core
 * Secret, ReferenceGrant across namespaces, parseable key pair); the outcome is the Gateway's
 * ResolvedRefs condition (GatewayConditionResolvedRefs: InvalidClientCertificateRef, or
 * RefNotPermitted for a cross-namespace Secret no ReferenceGrant allows). A Gateway without the
 * field has no such condition.
 *
 * @param certificate what to present, or null (none configured, or the reference is invalid: the
 *     gateway then presents none, and a backend that requires one refuses the handshake)
 * @param resolvedRefs the Gateway's ResolvedRefs condition, or null when the field is absent
 */
public record BackendClientCertificate(CertificateBundle certificate, ConditionSpec resolvedRefs) {
    static final String INVALID_CLIENT_CERTIFICATE_REF = "InvalidClientCertificateRef";

    static BackendClientCertificate of(Gateway gateway, CertificateRefResolver certificates) {
        final SecretObjectReference ref = gateway.getSpec() == null || gateway.getSpec().getTls() == null
                || gateway.getSpec().getTls().getBackend() == null ? null
                : gateway.getSpec().getTls().getBackend().getClientCertificateRef();
        if (ref == null) {
            return new BackendClientCertificate(null, null);
        }
        final CertificateRefResolver.Result result = certificates.resolve(ResourceKind.GATEWAY,
                gateway.getMetadata().getNamespace(), List.of(ref));
        if (!result.ok()) {
            final String reason = Reasons.REF_NOT_PERMITTED.equals(result.failureReason())
                    ? Reasons.REF_NOT_PERMITTED : INVALID_CLIENT_CERTIFICATE_REF;
            return new BackendClientCertificate(null, ConditionSpec.isFalse(Reasons.RESOLVED_REFS, reason,
                    "spec.tls.backend.clientCertificateRef: " + result.failureMessage()));
        }
        return new BackendClientCertificate(result.bundles().get(0), ConditionSpec.isTrue(Reasons.RESOLVED_REFS,
                Reasons.RESOLVED_REFS, "spec.tls.backend.clientCertificateRef is resolved"));
    }
}
