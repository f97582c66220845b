package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.FrontendValidation;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a Gateway's client certificate validation ({@code spec.tls.frontend}:
 * GatewayFrontendClientCertificateValidation) for each port: the {@code perPort} entry of the port
 * when there is one (it replaces {@code default} whole), else {@code default}.
 *
 * <p>Each {@code caCertificateRefs} entry must name a core ConfigMap (else
 * {@code InvalidCACertificateKind}) in the Gateway's namespace or one whose ReferenceGrant admits
 * the Gateway (else {@code RefNotPermitted}), which exists and holds PEM certificates under
 * {@code ca.crt} (else {@code InvalidCACertificateRef}). Several references and several
 * certificates in one {@code ca.crt} are all trusted (implementation-specific support). An invalid
 * reference sets ResolvedRefs=False on the HTTPS listeners of the ports it applies to; when every
 * reference is invalid those listeners are also Accepted=False/NoValidCACertificate and are not
 * served (the spec leaves no valid trust anchor to validate with, and serving them without
 * validation would open what the owner meant to close).
 */
final class FrontendValidationResolver {
    /**
     * The validation of one port.
     *
     * @param mode the configured mode
     * @param validation what the handshake asks for; null when no reference is valid
     * @param failureReason the ResolvedRefs reason of the first invalid reference; null when all resolved
     * @param failureMessage which reference is invalid and why
     */
    record PortValidation(FrontendValidation.Mode mode, FrontendValidation validation, String failureReason, String failureMessage) {
        /** Whether the listeners it applies to must not be served: every reference is invalid. */
        boolean noneValid() {
            return validation == null;
        }
    }

    /** A Gateway's resolved {@code spec.tls.frontend}: nothing for a port means no client certificate is asked for. */
    record FrontendTls(PortValidation defaultValidation, Map<Integer, PortValidation> perPort) {
        static final FrontendTls NONE = new FrontendTls(null, Map.of());

        /** The validation of the HTTPS listeners on {@code port}, or null when they ask for no client certificate. */
        PortValidation forPort(int port) {
            return perPort.containsKey(port) ? perPort.get(port) : defaultValidation;
        }

        /**
         * Whether the default or a per-port override sets AllowInsecureFallback (the Gateway's
         * InsecureFrontendValidationMode condition).
         */
        boolean insecureFallback() {
            final List<PortValidation> all = new ArrayList<>(perPort.values());
            all.add(defaultValidation);
            return all.stream().anyMatch(v -> v != null && v.mode() == FrontendValidation.Mode.ALLOW_INSECURE_FALLBACK);
        }
    }

    private final List<ConfigMap> configMaps;
    private final ReferenceGrantIndex grants;
    private final Diagnostics diagnostics;

    FrontendValidationResolver(List<ConfigMap> configMaps, ReferenceGrantIndex grants, Diagnostics diagnostics) {
        this.configMaps = configMaps;
        this.grants = grants;
        this.diagnostics = diagnostics;
    }

    FrontendTls resolve(Gateway gateway) {
        final FrontendTLSConfig frontend = gateway.getSpec() == null || gateway.getSpec().getTls() == null ? null
                : gateway.getSpec().getTls().getFrontend();
        if (frontend == null) {
            return FrontendTls.NONE;
        }
        final ResourceKey key = Kinds.keyOf(ResourceKind.GATEWAY, gateway);
        final PortValidation defaults = frontend.getDefault() == null ? null
                : port(key, "spec.tls.frontend.default", frontend.getDefault());
        final Map<Integer, PortValidation> perPort = new HashMap<>();
        final List<TLSPortConfig> ports = frontend.getPerPort() == null ? List.of() : frontend.getPerPort();
        for (int i = 0; i < ports.size(); i++) {
            final TLSPortConfig p = ports.get(i);
            if (p.getPort() != null && !perPort.containsKey(p.getPort())) {
                perPort.put(p.getPort(), p.getTls() == null ? null
                        : port(key, "spec.tls.frontend.perPort[" + i + "].tls", p.getTls()));
            }
        }
        return new FrontendTls(defaults, perPort);
    }

    /** One TLSConfig: null when it sets no validation. */
    private PortValidation port(ResourceKey gateway, String field, TLSConfig config) {
        if (config.getValidation() == null) {
            return null;
        }
        final String mode = config.getValidation().getMode();
        final FrontendValidation.Mode parsed;
        if (mode == null || mode.isEmpty() || "AllowValidOnly".equals(mode)) {
            parsed = FrontendValidation.Mode.ALLOW_VALID_ONLY;
        } else if ("AllowInsecureFallback".equals(mode)) {
            parsed = FrontendValidation.Mode.ALLOW_INSECURE_FALLBACK;
        } else {
            // The CRD's enum refuses it at admission; a snapshot built otherwise validates strictly.
            diagnostics.error(gateway, field + ".validation.mode", "unknown mode " + mode
                    + " (AllowValidOnly or AllowInsecureFallback): client certificates are validated (AllowValidOnly)");
            parsed = FrontendValidation.Mode.ALLOW_VALID_ONLY;
        }
        final List<ObjectReference> refs = config.getValidation().getCaCertificateRefs() == null ? List.of()
                : config.getValidation().getCaCertificateRefs();
        final List<String> sources = new ArrayList<>();
        final StringBuilder pem = new StringBuilder();
        String reason = null;
        String message = null;
        for (int i = 0; i < refs.size(); i++) {
            final ObjectReference ref = refs.get(i);
            final Resolved r = resolve(gateway, ref);
            if (r.reason != null) {
                diagnostics.error(gateway, field + ".validation.caCertificateRefs[" + i + "]", r.message);
                if (reason == null) {
                    reason = r.reason;
                    message = r.message;
                }
                continue;
            }
            sources.add(r.source);
            pem.append(r.pem);
            if (!r.pem.endsWith("\n")) {
                pem.append('\n');
            }
        }
        if (refs.isEmpty()) {
            reason = Reasons.INVALID_CA_CERTIFICATE_REF;
            message = field + ".validation.caCertificateRefs is empty";
            diagnostics.error(gateway, field + ".validation.caCertificateRefs", message);
        }
        return new PortValidation(parsed, sources.isEmpty() ? null : new FrontendValidation(sources, pem.toString(), parsed),
                reason, message);
    }

    /** One reference: its source and PEM, or why it is invalid. */
    private record Resolved(String source, String pem, String reason, String message) {
        static Resolved invalid(String reason, String message) {
            return new Resolved(null, null, reason, message);
        }
    }

    private Resolved resolve(ResourceKey gateway, ObjectReference ref) {
        final String group = Kinds.coreGroupIfUnset(ref.getGroup());
        final String namespace = Kinds.orDefault(ref.getNamespace(), gateway.namespace());
        final String what = (group.isEmpty() ? "" : group + "/") + ref.getKind() + " " + namespace + "/" + ref.getName();
        if (!group.isEmpty() || !ResourceKind.CONFIG_MAP.kind().equals(ref.getKind())) {
            return Resolved.invalid(Reasons.INVALID_CA_CERTIFICATE_KIND,
                    "caCertificateRef " + what + " is not a core ConfigMap (the only kind supported)");
        }
        if (!grants.permits(ResourceKind.GATEWAY.group(), ResourceKind.GATEWAY.kind(), gateway.namespace(),
                ResourceKind.CORE_GROUP, ResourceKind.CONFIG_MAP.kind(), namespace, ref.getName())) {
            return Resolved.invalid(Reasons.REF_NOT_PERMITTED,
                    "caCertificateRef " + what + " is in another namespace and no ReferenceGrant allows it");
        }
        final ConfigMap cm = configMaps.stream().filter(c -> namespace.equals(c.getMetadata().getNamespace())
                && ref.getName().equals(c.getMetadata().getName())).findFirst().orElse(null);
        if (cm == null) {
            return Resolved.invalid(Reasons.INVALID_CA_CERTIFICATE_REF, "caCertificateRef " + what + " does not exist");
        }
        final String pem = CaCertificates.pem(cm);
        final String problem = CaCertificates.problem(pem);
        if (problem != null) {
            return Resolved.invalid(Reasons.INVALID_CA_CERTIFICATE_REF, "caCertificateRef " + what + ": " + problem);
        }
        return new Resolved(ResourceKind.CONFIG_MAP.kind() + " " + namespace + "/" + ref.getName(), pem, null, null);
    }
}
