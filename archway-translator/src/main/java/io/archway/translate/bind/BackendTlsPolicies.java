package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.BackendTls;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SubjectAltName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * BackendTLSPolicy (GEP-1897, v1): which Service ports the gateway speaks TLS to, and how.
 *
 * <p>A policy targets core Services in its own namespace ({@code targetRefs}), a whole Service or
 * one port by name ({@code sectionName}). For a Service port, a policy naming the port applies in
 * preference to one naming the whole Service. Policies with the same target conflict: the oldest
 * (creationTimestamp, then namespace/name) applies there and the others are
 * Accepted=False/Conflicted (BackendTLSPolicySpec.targetRefs, "Conflict resolution").
 *
 * <p>{@code validation.caCertificateRefs} name ConfigMaps ({@code ca.crt}, PEM) of the policy's
 * namespace: a reference of another kind is ResolvedRefs=False/InvalidKind, a missing ConfigMap or
 * one without a parseable certificate ResolvedRefs=False/InvalidCACertificateRef, and a policy
 * left with no valid CA certificate is Accepted=False/NoValidCACertificate: its backends' traffic
 * fails (500) rather than going out unverified. {@code wellKnownCACertificates: System} trusts the
 * JDK's default trust store.
 *
 * <p>Status is per ancestor: every Gateway of ours a route referencing a targeted Service port is
 * attached to ({@link #statuses}).
 */
public final class BackendTlsPolicies {
    static final String NO_VALID_CA_CERTIFICATE = "NoValidCACertificate";
    static final String INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";
    static final String WELL_KNOWN_SYSTEM = "System";

    /** One policy after validation: the TLS settings it gives, and its conditions but Conflicted. */
    private record Evaluated(ResourceKey key, BackendTLSPolicy policy, BackendTls tls, ConditionSpec accepted,
                             ConditionSpec resolvedRefs) {
    }

    private final Map<ResourceKey, Evaluated> policies = new LinkedHashMap<>();
    /** "namespace/service#section" ("" for the whole Service) to its policies, winner first. */
    private final Map<String, List<Evaluated>> byTarget = new HashMap<>();

    public BackendTlsPolicies(ResourceView view, Diagnostics diagnostics) {
        final Map<String, ConfigMap> configMaps = new HashMap<>();
        for (ConfigMap cm : view.configMaps()) {
            configMaps.putIfAbsent(cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName(), cm);
        }
        final List<BackendTLSPolicy> all = new ArrayList<>(view.<BackendTLSPolicy>list(ResourceKind.BACKEND_TLS_POLICY));
        all.sort(PRECEDENCE);
        for (BackendTLSPolicy policy : all) {
            final Evaluated e = evaluate(policy, configMaps, diagnostics);
            policies.put(e.key(), e);
            final List<LocalPolicyTargetReferenceWithSectionName> targets = policy.getSpec() == null
                    || policy.getSpec().getTargetRefs() == null ? List.of() : policy.getSpec().getTargetRefs();
            for (LocalPolicyTargetReferenceWithSectionName t : targets) {
                if (!Kinds.coreGroupIfUnset(t.getGroup()).isEmpty() || !ResourceKind.SERVICE.kind().equals(t.getKind())) {
                    diagnostics.warning(e.key(), "spec.targetRefs", "only core Services are targeted; "
                            + t.getGroup() + "/" + t.getKind() + " " + t.getName() + " is ignored");
                    continue;
                }
                final List<Evaluated> list = byTarget.computeIfAbsent(target(e.key().namespace(), t.getName(),
                        Objects.requireNonNullElse(t.getSectionName(), "")), k -> new ArrayList<>());
                if (!list.contains(e)) {
                    list.add(e);
                }
            }
        }
        byTarget.forEach((target, list) -> list.stream().skip(1).forEach(loser -> diagnostics.warning(loser.key(),
                "spec.targetRefs", "conflicts with the older " + list.get(0).key()
                        + " on " + target + ", which applies there")));
    }

    /** Oldest first (unknown creation time last), then namespace/name. */
    private static final Comparator<BackendTLSPolicy> PRECEDENCE = Comparator
            .comparing((BackendTLSPolicy p) -> CreationTimestamps.of(p), Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());

    private static String target(String namespace, String service, String section) {
        return namespace + "/" + service + "#" + section;
    }

    /**
     * The TLS settings for a Service port: those of the winning policy naming the port, else of
     * the winning policy naming the whole Service; null when no policy targets it (cleartext).
     */
    public BackendTls tlsFor(String namespace, String service, ServicePort port) {
        final List<Evaluated> named = port.getName() == null || port.getName().isEmpty() ? List.of()
                : byTarget.getOrDefault(target(namespace, service, port.getName()), List.of());
        final List<Evaluated> applying = !named.isEmpty() ? named
                : byTarget.getOrDefault(target(namespace, service, ""), List.of());
        return applying.isEmpty() ? null : applying.get(0).tls();
    }

    /** True when no BackendTLSPolicy targets anything (nothing has a policy status to write). */
    public boolean isEmpty() {
        return byTarget.isEmpty();
    }

    /**
     * Every policy targeting the Service port, whether or not it applies there (a conflicted one
     * still reports its Conflicted condition to the Gateways the port's routes attach to).
     */
    public List<ResourceKey> targeting(String namespace, String service, String portName) {
        final List<ResourceKey> out = new ArrayList<>();
        if (portName != null && !portName.isEmpty()) {
            byTarget.getOrDefault(target(namespace, service, portName), List.of()).forEach(e -> out.add(e.key()));
        }
        byTarget.getOrDefault(target(namespace, service, ""), List.of()).forEach(e -> out.add(e.key()));
        return out;
    }

    /**
     * The conditions of {@code policy}: Accepted (Conflicted when it loses one of its targets to
     * an older policy) and ResolvedRefs.
     */
    public List<ConditionSpec> conditions(ResourceKey policy) {
        final Evaluated e = policies.get(policy);
        for (Map.Entry<String, List<Evaluated>> t : byTarget.entrySet()) {
            final List<Evaluated> list = t.getValue();
            if (list.indexOf(e) > 0) {
                return List.of(ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.CONFLICTED, "BackendTLSPolicy "
                        + list.get(0).key().namespace() + "/" + list.get(0).key().name() + " is older and targets "
                        + t.getKey()), e.resolvedRefs());
            }
        }
        return List.of(e.accepted(), e.resolvedRefs());
    }

    /** The policy's metadata.generation (observedGeneration of its conditions). */
    public Long generation(ResourceKey policy) {
        return policies.get(policy).policy().getMetadata().getGeneration();
    }

    private static Evaluated evaluate(BackendTLSPolicy policy, Map<String, ConfigMap> configMaps,
                                      Diagnostics diagnostics) {
        final ResourceKey key = Kinds.keyOf(ResourceKind.BACKEND_TLS_POLICY, policy);
        final String name = key.namespace() + "/" + key.name();
        final BackendTLSPolicyValidation validation = policy.getSpec() == null ? null : policy.getSpec().getValidation();
        final String hostname = validation == null ? "" : Objects.requireNonNullElse(validation.getHostname(), "");
        if (policy.getSpec() != null && policy.getSpec().getOptions() != null && !policy.getSpec().getOptions().isEmpty()) {
            diagnostics.warning(key, "spec.options", "no options are recognised; " + policy.getSpec().getOptions().keySet()
                    + " are ignored");
        }
        final List<BackendTls.SubjectAltName> sans = new ArrayList<>();
        if (validation != null && validation.getSubjectAltNames() != null) {
            for (SubjectAltName san : validation.getSubjectAltNames()) {
                if ("URI".equals(san.getType()) && san.getUri() != null) {
                    sans.add(new BackendTls.SubjectAltName(BackendTls.SubjectAltName.Type.URI, san.getUri()));
                } else if (san.getHostname() != null) {
                    sans.add(new BackendTls.SubjectAltName(BackendTls.SubjectAltName.Type.HOSTNAME, san.getHostname()));
                }
            }
        }
        final boolean system = validation != null && WELL_KNOWN_SYSTEM.equals(validation.getWellKnownCACertificates());
        final List<LocalObjectReference> refs = validation == null || validation.getCaCertificateRefs() == null
                ? List.of() : validation.getCaCertificateRefs();
        final StringBuilder bundle = new StringBuilder();
        ConditionSpec resolvedRefs = null;
        for (int i = 0; i < refs.size(); i++) {
            final LocalObjectReference ref = refs.get(i);
            final String field = "spec.validation.caCertificateRefs[" + i + "]";
            final String group = Kinds.coreGroupIfUnset(ref.getGroup());
            final String problem;
            final String reason;
            if (!group.isEmpty() || !ResourceKind.CONFIG_MAP.kind().equals(ref.getKind())) {
                reason = Reasons.INVALID_KIND;
                problem = (group.isEmpty() ? "" : group + "/") + ref.getKind() + " " + ref.getName()
                        + " is not a core ConfigMap";
            } else {
                final ConfigMap cm = configMaps.get(key.namespace() + "/" + ref.getName());
                final String pem = cm == null ? null : CaCertificates.pem(cm);
                final String caProblem = cm == null ? null : CaCertificates.problem(pem);
                reason = INVALID_CA_CERTIFICATE_REF;
                problem = cm == null ? "ConfigMap " + key.namespace() + "/" + ref.getName() + " does not exist"
                        : caProblem == null ? null
                        : "ConfigMap " + key.namespace() + "/" + ref.getName() + ": " + caProblem;
                if (problem == null) {
                    bundle.append(pem.strip()).append('\n');
                }
            }
            if (problem != null) {
                diagnostics.error(key, field, problem);
                if (resolvedRefs == null) {
                    resolvedRefs = ConditionSpec.isFalse(Reasons.RESOLVED_REFS, reason, field + ": " + problem);
                }
            }
        }
        if (resolvedRefs == null) {
            resolvedRefs = ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS, "all references are resolved");
        }
        if (bundle.length() == 0 && !system) {
            final String why = validation != null && validation.getWellKnownCACertificates() != null
                    ? "wellKnownCACertificates " + validation.getWellKnownCACertificates() + " is not supported (only System)"
                    : "no caCertificateRef is valid";
            diagnostics.error(key, "spec.validation", why + "; traffic to its targets fails");
            return new Evaluated(key, policy, BackendTls.refused(name, hostname, why),
                    ConditionSpec.isFalse(Reasons.ACCEPTED, NO_VALID_CA_CERTIFICATE, why), resolvedRefs);
        }
        final BackendTls tls = new BackendTls(name, hostname, bundle.length() == 0 ? null : bundle.toString(), system,
                sans, null, null);
        return new Evaluated(key, policy, tls, ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED,
                "the policy is accepted"), resolvedRefs);
    }
}
