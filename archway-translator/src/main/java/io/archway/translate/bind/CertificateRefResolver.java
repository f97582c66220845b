package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.certificate.CertificateCheck;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Resolves a terminating listener's {@code tls.certificateRefs} (HTTPS, TLS in Terminate mode) to
 * {@code kubernetes.io/tls} Secrets (Listener.tls.certificateRefs: core Secrets only; a
 * cross-namespace reference needs a ReferenceGrant from the Gateway to the Secret, or, for a
 * ListenerSet's listener, from the ListenerSet: GEP-1713 says a grant to one is never inherited by
 * the other), and checks their data ({@link CertificateCheck}): base64, PEM, a key that matches
 * the certificate, and, when the caller passed the time, the validity period.
 *
 * <p>Two kinds of failure: the reference itself (no such Secret, not a Secret, not permitted) and
 * the Secret's data (see {@link Result#secretDataInvalid()}). Both set ResolvedRefs=False; only the
 * second lets the data plane keep presenting the listener's last good certificate, since a broken
 * rotation is a mistake to ride out while a deleted Secret or a revoked ReferenceGrant is a
 * decision to honour.
 */
public final class CertificateRefResolver {
    /**
     * The outcome for one listener: the bundles, or the first failure's reason and message.
     *
     * @param secretDataInvalid the failure is in the data of a Secret the listener may use (not
     *     base64 or PEM, key mismatch, expired...), not in the reference
     */
    public record Result(List<CertificateBundle> bundles, String failureReason, String failureMessage,
                         boolean secretDataInvalid) {
        public boolean ok() {
            return failureReason == null;
        }

        static Result refused(String reason, String message) {
            return new Result(List.of(), reason, message, false);
        }
    }

    private final List<Secret> secrets;
    private final ReferenceGrantIndex grants;
    private final Instant now;

    /** @param now the time certificates must be valid at; null to not check validity periods */
    public CertificateRefResolver(List<Secret> secrets, ReferenceGrantIndex grants, Instant now) {
        this.secrets = secrets;
        this.grants = grants;
        this.now = now;
    }

    /** The refs of a Gateway's own listener. */
    public Result resolve(String gatewayNamespace, List<SecretObjectReference> refs) {
        return resolve(ResourceKind.GATEWAY, gatewayNamespace, refs);
    }

    /** The refs of a listener declared by {@code owner} (a Gateway or a ListenerSet) in {@code ownerNamespace}. */
    public Result resolve(ResourceKind owner, String ownerNamespace, List<SecretObjectReference> refs) {
        if (refs == null || refs.isEmpty()) {
            return Result.refused(Reasons.INVALID_CERTIFICATE_REF, "tls.certificateRefs is empty");
        }
        final List<CertificateBundle> bundles = new ArrayList<>();
        for (SecretObjectReference ref : refs) {
            final String group = Kinds.coreGroupIfUnset(ref.getGroup());
            final String kind = Kinds.orDefault(ref.getKind(), ResourceKind.SECRET.kind());
            final String namespace = Kinds.orDefault(ref.getNamespace(), ownerNamespace);
            final String what = kind + " " + namespace + "/" + ref.getName();
            if (ref.getName() == null) {
                return Result.refused(Reasons.INVALID_CERTIFICATE_REF, "certificateRef without name");
            }
            if (!group.isEmpty() || !ResourceKind.SECRET.kind().equals(kind)) {
                return Result.refused(Reasons.INVALID_CERTIFICATE_REF,
                        "certificateRef " + (group.isEmpty() ? "" : group + "/") + what + " is not a core Secret");
            }
            if (!grants.permits(owner.group(), owner.kind(), ownerNamespace, ResourceKind.CORE_GROUP,
                    ResourceKind.SECRET.kind(), namespace, ref.getName())) {
                return Result.refused(Reasons.REF_NOT_PERMITTED,
                        what + " is in another namespace and no ReferenceGrant allows it");
            }
            final Secret secret = secrets.stream().filter(s -> namespace.equals(s.getMetadata().getNamespace())
                    && ref.getName().equals(s.getMetadata().getName())).findFirst().orElse(null);
            if (secret == null) {
                return Result.refused(Reasons.INVALID_CERTIFICATE_REF, what + " does not exist");
            }
            final Value crt = value(secret, "tls.crt");
            final Value key = value(secret, "tls.key");
            final String problem = problemWith(secret, crt, key, now);
            if (problem != null) {
                return new Result(List.of(), Reasons.INVALID_CERTIFICATE_REF,
                        what + (problem.startsWith(":") ? "" : " ") + problem, true);
            }
            bundles.add(new CertificateBundle(ResourceKind.SECRET.kind() + " " + namespace + "/" + ref.getName(),
                    crt.text(), key.text()));
        }
        return new Result(bundles, null, null, false);
    }

    private static String problemWith(Secret secret, Value crt, Value key, Instant now) {
        if (secret.getType() != null && !"kubernetes.io/tls".equals(secret.getType())) {
            return "has type " + secret.getType() + ", not kubernetes.io/tls";
        }
        for (Value v : List.of(crt, key)) {
            if (v.problem() != null) {
                return v.problem();
            }
        }
        final String problem = CertificateCheck.problem(crt.text(), key.text(), now);
        return problem == null ? null : ": " + problem;
    }

    /** A Secret value: its text, or what is wrong with it. */
    private record Value(String text, String problem) {
    }

    /** {@code data} (base64) wins over {@code stringData}. */
    private static Value value(Secret secret, String name) {
        final Map<String, String> data = secret.getData();
        if (data != null && data.get(name) != null) {
            final String decoded;
            try {
                decoded = new String(Base64.getMimeDecoder().decode(data.get(name)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return new Value(null, ": data." + name + " is not base64 (" + e.getMessage() + ")");
            }
            return decoded.isBlank() ? new Value(null, "has an empty " + name) : new Value(decoded, null);
        }
        final Map<String, String> stringData = secret.getStringData();
        final String plain = stringData == null ? null : stringData.get(name);
        if (plain == null) {
            return new Value(null, "lacks " + name);
        }
        return plain.isBlank() ? new Value(null, "has an empty " + name) : new Value(plain, null);
    }
}
