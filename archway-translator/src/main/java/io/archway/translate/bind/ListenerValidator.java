package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.TlsPort;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.bind.GatewayClassAcceptor.ClassDecision;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Phase 2: validates a Gateway of ours and each of its listeners: protocol (HTTP, HTTPS, TLS in
 * Passthrough or Terminate mode, TCP, UDP), TLS certificate references, allowed route kinds, and distinctness
 * (Listener: listeners on one port must differ in protocol-relevant fields; indistinct ones are
 * Conflicted and none of them wins).
 *
 * <p>A TLS listener is served in either mode (ListenerTLSConfig.mode, Terminate by default):
 * Terminate needs certificateRefs as HTTPS does (TLSRouteModeTerminate), and Passthrough and
 * Terminate listeners may share a port, told apart by hostname (TLSRouteModeMixed).
 */
public final class ListenerValidator {
    private static final List<String> SUPPORTED_PROTOCOLS =
            java.util.Arrays.stream(ListenerProtocol.values()).map(Enum::name).toList();

    /**
     * The route kind each protocol serves: its default allowedRoutes.kinds and the only kind it
     * accepts there (Listener.allowedRoutes: kinds incompatible with the protocol are invalid).
     */
    private static final Map<ListenerProtocol, ResourceKind> ROUTE_KIND = Map.of(
            ListenerProtocol.HTTP, ResourceKind.HTTP_ROUTE,
            ListenerProtocol.HTTPS, ResourceKind.HTTP_ROUTE,
            ListenerProtocol.TLS, ResourceKind.TLS_ROUTE,
            ListenerProtocol.TCP, ResourceKind.TCP_ROUTE,
            ListenerProtocol.UDP, ResourceKind.UDP_ROUTE);

    private final ResourceView view;
    private final CertificateRefResolver certificates;
    private final Diagnostics diagnostics;
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

    /** @param now the time certificates must be valid at; null to not check validity periods */
    public ListenerValidator(ResourceView view, ReferenceGrantIndex grants, Diagnostics diagnostics, Instant now) {
        this.view = view;
        this.certificates = new CertificateRefResolver(view.secrets(), grants, now);
        this.diagnostics = diagnostics;
        for (Namespace ns : view.namespaces()) {
            final Map<String, String> labels = new HashMap<>();
            if (ns.getMetadata().getLabels() != null) {
                labels.putAll(ns.getMetadata().getLabels());
            }
            // The API server labels every Namespace with its name (Kubernetes 1.22+).
            labels.putIfAbsent("kubernetes.io/metadata.name", ns.getMetadata().getName());
            namespaceLabels.put(ns.getMetadata().getName(), labels);
        }
    }

    public BoundGateway validate(Gateway gateway, ClassDecision decision, String address) {
        final ResourceKey key = Kinds.keyOf(ResourceKind.GATEWAY, gateway);
        final List<Listener> listeners = gateway.getSpec() == null || gateway.getSpec().getListeners() == null
                ? List.of() : gateway.getSpec().getListeners();
        final Map<Integer, String> conflicts = findConflicts(listeners);

        final String parametersProblem = invalidParameters(gateway);
        final boolean classOk = decision.accepted();
        int acceptedListeners = 0;
        final List<ListenerDraft> drafts = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            final ListenerDraft draft = validateListener(key, gateway, i, listeners.get(i), conflicts.get(i));
            drafts.add(draft);
            if (draft.accepted) {
                acceptedListeners++;
            }
        }

        final ConditionSpec acceptedCondition;
        if (!classOk) {
            acceptedCondition = ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.PENDING, decision.message());
        } else if (parametersProblem != null) {
            diagnostics.error(key, "spec.infrastructure.parametersRef", parametersProblem);
            acceptedCondition = ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.INVALID_PARAMETERS, parametersProblem);
        } else if (acceptedListeners < listeners.size()) {
            final String message = (listeners.size() - acceptedListeners) + " of " + listeners.size()
                    + " listeners are not valid: " + notAccepted(drafts);
            acceptedCondition = acceptedListeners > 0
                    ? ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.LISTENERS_NOT_VALID, message)
                    : ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.LISTENERS_NOT_VALID, message);
        } else {
            acceptedCondition = ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED,
                    decision.message() != null ? decision.message() : "Gateway is accepted");
        }
        final boolean gatewayAccepted = acceptedCondition.status();
        if (gateway.getSpec() != null && gateway.getSpec().getAddresses() != null
                && !gateway.getSpec().getAddresses().isEmpty()) {
            // Static addresses (GatewayStaticAddresses, extended) are not supported: addressing decides.
            diagnostics.warning(key, "spec.addresses", "requested addresses are ignored; the Gateway is served on "
                    + address);
        }
        if (gateway.getSpec() != null && gateway.getSpec().getTls() != null) {
            diagnostics.warning(key, "spec.tls", "frontend and backend TLS settings are not supported and are ignored");
        }
        final ConditionSpec programmed = gatewayAccepted
                ? ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED, "Gateway is served on " + address)
                : ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.INVALID, "Gateway is not accepted");

        final List<BoundListener> bound = new ArrayList<>();
        for (ListenerDraft d : drafts) {
            bound.add(d.bind(gatewayAccepted));
        }
        return new BoundGateway(key, gateway, gateway.getMetadata().getGeneration(), gatewayAccepted, address,
                bound, List.of(acceptedCondition, programmed));
    }

    private static String notAccepted(List<ListenerDraft> drafts) {
        final List<String> names = new ArrayList<>();
        for (ListenerDraft d : drafts) {
            if (!d.accepted) {
                names.add(d.origin.listenerName() + " (" + d.acceptedReason + ")");
            }
        }
        return String.join(", ", names);
    }

    /** {@code spec.infrastructure.parametersRef}: only an existing core ConfigMap is understood. */
    private String invalidParameters(Gateway gateway) {
        if (gateway.getSpec() == null || gateway.getSpec().getInfrastructure() == null
                || gateway.getSpec().getInfrastructure().getParametersRef() == null) {
            return null;
        }
        final LocalParametersReference ref = gateway.getSpec().getInfrastructure().getParametersRef();
        final boolean found = ResourceKind.CORE_GROUP.equals(Kinds.coreGroupIfUnset(ref.getGroup()))
                && ResourceKind.CONFIG_MAP.kind().equals(ref.getKind())
                && view.configMaps().stream().anyMatch(cm -> cm.getMetadata().getName().equals(ref.getName())
                        && Objects.equals(cm.getMetadata().getNamespace(), gateway.getMetadata().getNamespace()));
        return found ? null : "parametersRef " + Kinds.orDefault(ref.getGroup(), "core") + "/" + ref.getKind() + " "
                + ref.getName() + " does not name an existing ConfigMap in the Gateway's namespace";
    }

    /**
     * Listener index to conflict reason. Listeners of supported protocols on one port and transport
     * conflict when their protocols differ (ProtocolConflict) or, with one protocol, when their
     * hostnames are equal (HostnameConflict; a TCP or UDP listener has no hostname to tell it
     * apart). A TCP-based and a UDP listener share a port number without conflict. All indistinct
     * listeners conflict: there is no winner.
     *
     * <p>So a TLS and a TCP listener on one port conflict (Listener: every listener sharing a port
     * with a TCP listener is indistinct), and so do an HTTPS and a TLS listener: they are distinct
     * by hostname, but the spec leaves it to the implementation whether it can serve HTTPS and
     * generic TLS on one port ("Compatible Listeners"), and a socket here carries one listener kind
     * ({@link io.archway.snapshot.HttpPort} or {@link io.archway.snapshot.TlsPort}), so they are not
     * compatible. TLS listeners in Passthrough and Terminate mode share one protocol and so one
     * port (TLSRouteModeMixed), distinct by hostname. A TLS listener in an unknown mode takes no
     * part.
     */
    static Map<Integer, String> findConflicts(List<Listener> listeners) {
        final Map<Integer, String> conflicts = new HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            final Listener a = listeners.get(i);
            if (!servable(a)) {
                continue;
            }
            for (int j = 0; j < listeners.size(); j++) {
                final Listener b = listeners.get(j);
                if (i == j || !servable(b) || !Objects.equals(a.getPort(), b.getPort())
                        || transport(a) != transport(b)) {
                    continue;
                }
                if (!a.getProtocol().equals(b.getProtocol())) {
                    conflicts.put(i, Reasons.PROTOCOL_CONFLICT);
                } else if (normalized(a.getHostname()).equals(normalized(b.getHostname()))) {
                    conflicts.putIfAbsent(i, Reasons.HOSTNAME_CONFLICT);
                }
            }
        }
        return conflicts;
    }

    private static io.archway.snapshot.Transport transport(Listener l) {
        return ListenerProtocol.valueOf(l.getProtocol()).transport();
    }

    private static boolean supported(String protocol) {
        return protocol != null && SUPPORTED_PROTOCOLS.contains(protocol);
    }

    /** A listener of a supported protocol and, for TLS, a supported mode: one that may be served. */
    private static boolean servable(Listener listener) {
        return supported(listener.getProtocol())
                && (!ListenerProtocol.TLS.name().equals(listener.getProtocol()) || tlsMode(listener) == null);
    }

    /**
     * Why a TLS listener's mode is not served, or null when it is Passthrough or Terminate (the
     * default when tls or tls.mode is unset: ListenerTLSConfig.mode).
     */
    private static String tlsMode(Listener listener) {
        return modeOf(listener) != null ? null
                : "TLS with tls.mode " + listener.getTls().getMode() + " is not supported (Passthrough and Terminate are)";
    }

    /** The TLS mode of a TLS listener: Terminate unless set; null when set to something unknown. */
    private static TlsPort.Mode modeOf(Listener listener) {
        final String mode = listener.getTls() == null || listener.getTls().getMode() == null
                || listener.getTls().getMode().isEmpty() ? "Terminate" : listener.getTls().getMode();
        return "Terminate".equals(mode) ? TlsPort.Mode.TERMINATE
                : "Passthrough".equals(mode) ? TlsPort.Mode.PASSTHROUGH : null;
    }

    private static String normalized(String hostname) {
        return hostname == null ? "" : hostname.toLowerCase(Locale.ROOT);
    }

    private ListenerDraft validateListener(ResourceKey key, Gateway gateway, int index, Listener listener,
                                           String conflict) {
        final String field = "spec.listeners[" + index + "]";
        final ListenerDraft d = new ListenerDraft();
        d.origin = new ListenerOrigin(key.namespace(), key.name(), Objects.requireNonNullElse(listener.getName(), ""));
        d.port = listener.getPort() == null ? 0 : listener.getPort();
        d.hostname = listener.getHostname() == null || listener.getHostname().isEmpty() ? null
                : listener.getHostname().toLowerCase(Locale.ROOT);
        final String gatewayNamespace = key.namespace();
        d.allowedNamespaces = listener.getAllowedRoutes() == null || listener.getAllowedRoutes().getNamespaces() == null
                ? new AllowedNamespaces("Same", gatewayNamespace, null, this::labelsOf)
                : new AllowedNamespaces(listener.getAllowedRoutes().getNamespaces().getFrom(), gatewayNamespace,
                        listener.getAllowedRoutes().getNamespaces().getSelector(), this::labelsOf);

        if (!supported(listener.getProtocol())) {
            d.reject(Reasons.UNSUPPORTED_PROTOCOL, "protocol " + listener.getProtocol() + " is not supported");
            diagnostics.error(key, field + ".protocol", "listener " + listener.getName() + ": protocol "
                    + listener.getProtocol() + " is not supported (" + String.join(", ", SUPPORTED_PROTOCOLS) + " are)");
            return d;
        }
        d.protocol = ListenerProtocol.valueOf(listener.getProtocol());
        if (d.protocol == ListenerProtocol.TLS && tlsMode(listener) != null) {
            // An unknown mode: Accepted=False/UnsupportedValue, no supportedKinds.
            d.reject(Reasons.UNSUPPORTED_VALUE, tlsMode(listener));
            diagnostics.error(key, field + ".tls.mode", "listener " + listener.getName() + ": " + d.acceptedMessage);
            return d;
        }
        if (d.protocol == ListenerProtocol.TLS) {
            d.tlsMode = modeOf(listener);
        }
        resolveRouteKinds(key, field, listener, d);
        if (d.protocol == ListenerProtocol.HTTPS || d.tlsMode == TlsPort.Mode.TERMINATE) {
            resolveCertificates(key, field, gatewayNamespace, listener, d);
        }
        if (conflict != null) {
            d.conflict = conflict;
            d.reject(conflict, "listener " + listener.getName() + " conflicts with another listener on port "
                    + d.port + (conflict.equals(Reasons.PROTOCOL_CONFLICT) ? " (different protocol)"
                    : " (same hostname)"));
            diagnostics.error(key, field, d.acceptedMessage);
        }
        return d;
    }

    private void resolveRouteKinds(ResourceKey key, String field, Listener listener, ListenerDraft d) {
        final List<RouteGroupKind> kinds = listener.getAllowedRoutes() == null ? null
                : listener.getAllowedRoutes().getKinds();
        final ResourceKind served = ROUTE_KIND.get(d.protocol);
        final RouteGroupKind routeKind = new RouteGroupKindBuilder().withGroup(served.group())
                .withKind(served.kind()).build();
        if (kinds == null || kinds.isEmpty()) {
            d.supportedKinds.add(routeKind);
            return;
        }
        final List<String> invalid = new ArrayList<>();
        for (RouteGroupKind kind : kinds) {
            final String group = Kinds.orDefault(kind.getGroup(), ResourceKind.GATEWAY_GROUP);
            if (group.equals(served.group()) && served.kind().equals(kind.getKind())) {
                if (d.supportedKinds.isEmpty()) {
                    d.supportedKinds.add(routeKind);
                }
            } else {
                invalid.add(group + "/" + kind.getKind());
            }
        }
        if (!invalid.isEmpty()) {
            final String message = "route kinds not supported on " + listener.getProtocol() + ": "
                    + String.join(", ", invalid);
            d.refsFailure(Reasons.INVALID_ROUTE_KINDS, message);
            diagnostics.error(key, field + ".allowedRoutes.kinds", "listener " + listener.getName() + ": " + message);
        }
    }

    private void resolveCertificates(ResourceKey key, String field, String gatewayNamespace, Listener listener,
                                     ListenerDraft d) {
        if (listener.getTls() == null) {
            d.refsFailure(Reasons.INVALID_CERTIFICATE_REF, d.protocol + " listener without tls");
            diagnostics.error(key, field + ".tls", "listener " + listener.getName() + ": " + d.protocol
                    + " requires tls with certificateRefs");
            d.certificatesOk = false;
            return;
        }
        if (d.protocol == ListenerProtocol.HTTPS && listener.getTls().getMode() != null
                && !"Terminate".equals(listener.getTls().getMode())) {
            d.reject(Reasons.UNSUPPORTED_PROTOCOL, "HTTPS with tls.mode " + listener.getTls().getMode()
                    + " is not supported");
            diagnostics.error(key, field + ".tls.mode", "listener " + listener.getName() + ": " + d.acceptedMessage);
            return;
        }
        final CertificateRefResolver.Result result =
                certificates.resolve(gatewayNamespace, listener.getTls().getCertificateRefs());
        if (!result.ok()) {
            d.refsFailure(result.failureReason(), result.failureMessage());
            d.certificatesOk = false;
            // A Secret whose data broke stays served without certificates: the data plane keeps
            // presenting the listener's last good ones (CertificateRefResolver says why only then).
            d.keepsLastGoodCertificate = result.secretDataInvalid();
            diagnostics.error(key, field + ".tls.certificateRefs", "listener " + listener.getName() + ": "
                    + result.failureMessage() + (result.secretDataInvalid()
                    ? "; the listener keeps its last good certificate, if it had one" : ""));
            return;
        }
        d.certificates.addAll(result.bundles());
    }

    /** The labels of a namespace's Namespace object; null when there is none. */
    private Map<String, String> labelsOf(String namespace) {
        return namespaceLabels.get(namespace);
    }

    /** Mutable scratch state for one listener; {@link #bind} freezes it. */
    private static final class ListenerDraft {
        ListenerOrigin origin;
        int port;
        String hostname;
        ListenerProtocol protocol;
        TlsPort.Mode tlsMode;
        AllowedNamespaces allowedNamespaces;
        final List<RouteGroupKind> supportedKinds = new ArrayList<>();
        final List<CertificateBundle> certificates = new ArrayList<>();
        boolean certificatesOk = true;
        boolean keepsLastGoodCertificate;
        boolean accepted = true;
        String acceptedReason = Reasons.ACCEPTED;
        String acceptedMessage = "listener is accepted";
        String refsReason;
        String refsMessage;
        String conflict;

        void reject(String reason, String message) {
            accepted = false;
            acceptedReason = reason;
            acceptedMessage = message;
            if (Reasons.UNSUPPORTED_PROTOCOL.equals(reason) || Reasons.UNSUPPORTED_VALUE.equals(reason)) {
                supportedKinds.clear();
            }
        }

        void refsFailure(String reason, String message) {
            if (refsReason == null) {
                refsReason = reason;
                refsMessage = message;
            }
        }

        BoundListener bind(boolean gatewayAccepted) {
            final boolean servable = gatewayAccepted && accepted && !supportedKinds.isEmpty();
            final boolean programmed = servable && certificatesOk;
            final boolean served = programmed || (servable && keepsLastGoodCertificate);
            final List<ConditionSpec> conditions = new ArrayList<>();
            conditions.add(new ConditionSpec(Reasons.ACCEPTED, accepted, acceptedReason, acceptedMessage));
            if (programmed) {
                conditions.add(ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED, "listener is served"));
            } else {
                conditions.add(ConditionSpec.isFalse(Reasons.PROGRAMMED, conflict != null ? conflict : Reasons.INVALID,
                        !gatewayAccepted ? "Gateway is not accepted"
                                : !accepted ? acceptedMessage
                                : served ? refsMessage + "; the data plane keeps presenting the listener's last good"
                                        + " certificate, if it had one"
                                : refsMessage != null ? refsMessage : "listener is not served"));
            }
            conditions.add(refsReason == null
                    ? ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS, "all references are resolved")
                    : ConditionSpec.isFalse(Reasons.RESOLVED_REFS, refsReason, refsMessage));
            conditions.add(conflict == null
                    ? ConditionSpec.isFalse(Reasons.CONFLICTED, Reasons.NO_CONFLICTS, "no conflicts")
                    : ConditionSpec.isTrue(Reasons.CONFLICTED, conflict, acceptedMessage));
            return new BoundListener(origin, port, protocol, tlsMode, hostname, accepted, programmed, served,
                    allowedNamespaces, supportedKinds, certificates, conditions);
        }
    }
}
