package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Resolves a HTTPS listener's {@code tls.certificateRefs} to {@code kubernetes.io/tls} Secrets
 * (Listener.tls.certificateRefs: core Secrets only; a cross-namespace reference needs a
 * ReferenceGrant from the Gateway to the Secret, or, for a ListenerSet's listener, from the
 * ListenerSet: GEP-1713 says a grant to one is never inherited by the other).
 */
public final class CertificateRefResolver {
    /** The outcome for one listener: the bundles, or the first failure's reason and message. */
    public record Result(List<CertificateBundle> bundles, String failureReason, String failureMessage) {
        public boolean ok() {
            return failureReason == null;
        }
    }

    private final List<Secret> secrets;
    private final ReferenceGrantIndex grants;

    public CertificateRefResolver(List<Secret> secrets, ReferenceGrantIndex grants) {
        this.secrets = secrets;
        this.grants = grants;
    }

    /** The refs of a Gateway's own listener. */
    public Result resolve(String gatewayNamespace, List<SecretObjectReference> refs) {
        return resolve(ResourceKind.GATEWAY, gatewayNamespace, refs);
    }

    /** The refs of a listener declared by {@code owner} (a Gateway or a ListenerSet) in {@code ownerNamespace}. */
    public Result resolve(ResourceKind owner, String ownerNamespace, List<SecretObjectReference> refs) {
        if (refs == null || refs.isEmpty()) {
            return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF, "tls.certificateRefs is empty");
        }
        final List<CertificateBundle> bundles = new ArrayList<>();
        for (SecretObjectReference ref : refs) {
            final String group = Kinds.coreGroupIfUnset(ref.getGroup());
            final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.SECRET.kind());
            final String namespace = Kinds.orDefault(ref.getNamespace(), ownerNamespace);
            final String what = kind + " " + namespace + "/" + ref.getName();
            if (ref.getName() == null) {
                return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF, "certificateRef without name");
            }
            if (!group.isEmpty() || !ResourceKind.SECRET.kind().equals(kind)) {
                return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF,
                        "certificateRef " + (group.isEmpty() ? "" : group + "/") + what + " is not a core Secret");
            }
            if (!grants.permits(owner.group(), owner.kind(), ownerNamespace, ResourceKind.CORE_GROUP,
                    ResourceKind.SECRET.kind(), namespace, ref.getName())) {
                return new Result(List.of(), Reasons.REF_NOT_PERMITTED,
                        what + " is in another namespace and no ReferenceGrant allows it");
            }
            final Secret secret = secrets.stream().filter(s -> namespace.equals(s.getMetadata().getNamespace())
                    && ref.getName().equals(s.getMetadata().getName())).findFirst().orElse(null);
            if (secret == null) {
                return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF, what + " does not exist");
            }
            final String problem = problemWith(secret);
            if (problem != null) {
                return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF, what + " " + problem);
            }
            bundles.add(new CertificateBundle(ResourceKind.SECRET.kind() + " " + namespace + "/" + ref.getName(),
                    value(secret, "tls.crt"), value(secret, "tls.key")));
        }
        return new Result(bundles, null, null);
    }

    private static String problemWith(Secret secret) {
        if (secret.getType() != null && !"kubernetes.io/tls".equals(secret.getType())) {
            return "has type " + secret.getType() + ", not kubernetes.io/tls";
        }
        final String crt = value(secret, "tls.crt");
        final String key = value(secret, "tls.key");
        if (crt == null || key == null) {
            return "lacks tls.crt or tls.key";
        }
        if (!key.contains("-----BEGIN") || !key.contains("PRIVATE KEY-----")) {
            return "tls.key is not a PEM private key";
        }
        try {
            final var parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(crt.getBytes(StandardCharsets.US_ASCII)));
            if (parsed.isEmpty()) {
                return "tls.crt holds no certificate";
            }
        } catch (CertificateException | RuntimeException e) {
            return "tls.crt is not a valid PEM certificate";
        }
        return null;
    }

    /** {@code data} (base64) wins over {@code stringData}; null when absent or not base64. */
    private static String value(Secret secret, String name) {
        final Map<String, String> data = secret.getData();
        if (data != null && data.get(name) != null) {
            try {
                final String decoded = new String(Base64.getMimeDecoder().decode(data.get(name)),
                        StandardCharsets.UTF_8);
                return decoded.isBlank() ? null : decoded;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        final Map<String, String> stringData = secret.getStringData();
        final String plain = stringData == null ? null : stringData.get(name);
        return plain == null || plain.isBlank() ? null : plain;
    }
}
