package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
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
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * <p>ListenerSets (GEP-1713) whose parentRef names the Gateway are validated with it: a set the
 * Gateway's {@code allowedListeners} does not admit is Accepted=False/NotAllowed; the listeners of
 * the others join the Gateway's in precedence order (the Gateway's own, then the sets oldest
 * first, then by namespace/name, each in list order), and each is checked for conflicts against
 * the listeners that won before it: a conflicting listener loses (Conflicted=True), the one with
 * precedence keeps serving. A set is Accepted while at least one of its listeners is valid.
 *
 * <p>A TLS listener is served in either mode (ListenerTLSConfig.mode, Terminate by default):
 * Terminate needs certificateRefs as HTTPS does (TLSRouteModeTerminate), and Passthrough and
 * Terminate listeners may share a port, told apart by hostname (TLSRouteModeMixed).
 */
public final class ListenerValidator {
    private static final List<String> SUPPORTED_PROTOCOLS =
            java.util.Arrays.stream(ListenerProtocol.values()).map(Enum::name).toList();

    /**
     * The route kinds each protocol serves: its default allowedRoutes.kinds (supportedKinds) and the
     * only kinds it accepts there (Listener.allowedRoutes: kinds incompatible with the protocol are
     * invalid). HTTP and HTTPS listeners serve GRPCRoute beside HTTPRoute: both accept HTTP/2
     * without upgrade (h2c prior knowledge, ALPN h2), as GRPCRoute requires.
     */
    private static final Map<ListenerProtocol, List<ResourceKind>> ROUTE_KINDS = Map.of(
            ListenerProtocol.HTTP, List.of(ResourceKind.HTTP_ROUTE, ResourceKind.GRPC_ROUTE),
            ListenerProtocol.HTTPS, List.of(ResourceKind.HTTP_ROUTE, ResourceKind.GRPC_ROUTE),
            ListenerProtocol.TLS, List.of(ResourceKind.TLS_ROUTE),
            ListenerProtocol.TCP, List.of(ResourceKind.TCP_ROUTE),
            ListenerProtocol.UDP, List.of(ResourceKind.UDP_ROUTE));

    private final ResourceView view;
    private final CertificateRefResolver certificates;
    private final FrontendValidationResolver frontendValidation;
    private final Diagnostics diagnostics;
    private final boolean provisioned;
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

    /** @param now the time certificates must be valid at; null to not check validity periods */
    public ListenerValidator(ResourceView view, ReferenceGrantIndex grants, Diagnostics diagnostics, Instant now) {
        this(view, grants, diagnostics, now, false);
    }

    /**
     * @param provisioned whether each Gateway's addresses are its provisioned data-plane Service's
     *     ({@link io.archway.translate.GatewayAddressing.ProvisionedServices})
     */
    public ListenerValidator(ResourceView view, ReferenceGrantIndex grants, Diagnostics diagnostics, Instant now,
                             boolean provisioned) {
        this.view = view;
        this.provisioned = provisioned;
        this.certificates = new CertificateRefResolver(view.secrets(), grants, now);
        this.frontendValidation = new FrontendValidationResolver(view.configMaps(), grants, diagnostics);
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
        final FrontendValidationResolver.FrontendTls frontend = frontendValidation.resolve(gateway);

        final String parametersProblem = invalidParameters(gateway);
        final boolean classOk = decision.accepted();
        int acceptedListeners = 0;
        final List<ListenerDraft> drafts = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            final Listener listener = listeners.get(i);
            final ListenerDraft draft = validateListener(key, ResourceKind.GATEWAY, "spec.listeners[" + i + "]",
                    new ListenerOrigin(key.namespace(), key.name(), Objects.requireNonNullElse(listener.getName(), "")),
                    listener, conflicts.get(i), frontend);
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
        } else if (unsupportedAddress(gateway) != null) {
            // GatewayReasonUnsupportedAddress (v1.6.1, GatewayStaticAddresses): an address of a type
            // the implementation does not support makes the Gateway not Accepted. Only IPAddress
            // (the default type) can be requested: a Hostname or NamedAddress has nothing to bind.
            final String message = "address type " + unsupportedAddress(gateway).getType()
                    + " is not supported (only IPAddress)";
            diagnostics.error(key, "spec.addresses", message);
            acceptedCondition = ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.UNSUPPORTED_ADDRESS, message);
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
        if (!provisioned && gateway.getSpec() != null && gateway.getSpec().getAddresses() != null
                && gateway.getSpec().getAddresses().stream().anyMatch(a -> !assignedAutomatically(a))) {
            // Static addresses (GatewayStaticAddresses, extended) are not supported: addressing decides.
            diagnostics.warning(key, "spec.addresses", "requested addresses are ignored; the Gateway is served on "
                    + address);
        }
        final BackendClientCertificate backendClientCertificate = BackendClientCertificate.of(gateway, certificates);
        final List<GatewayStatusAddress> statusAddresses;
        final ConditionSpec programmed;
        if (!gatewayAccepted) {
            statusAddresses = List.of();
            programmed = ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.INVALID, "Gateway is not accepted");
        } else if (!provisioned) {
            statusAddresses = List.of(ServiceAddresses.address(ServiceAddresses.IP_ADDRESS, address));
            programmed = ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED, "Gateway is served on " + address);
        } else {
            // The Gateway is reached through its data-plane Service: its addresses are the Gateway's.
            final Service service = ServiceAddresses.dataPlaneService(view, key);
            statusAddresses = service == null ? List.of() : ServiceAddresses.of(service);
            final List<String> notUsable = ServiceAddresses.notAssigned(gateway, statusAddresses);
            if (!notUsable.isEmpty()) {
                // GatewayStaticAddresses: a requested address the Service was not given
                // (the load balancer could not assign it) is not usable.
                programmed = ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.ADDRESS_NOT_USABLE,
                        "requested addresses " + notUsable + " were not assigned to the data-plane Service"
                                + (statusAddresses.isEmpty() ? "" : " (it has " + values(statusAddresses) + ")"));
            } else if (statusAddresses.isEmpty()) {
                programmed = ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.ADDRESS_NOT_ASSIGNED, service == null
                        ? "the data-plane Service is not provisioned yet"
                        : "the data-plane Service " + service.getMetadata().getName() + " has no address yet");
            } else {
                programmed = ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED, "Gateway is served on "
                        + values(statusAddresses));
            }
        }
        final List<ConditionSpec> gatewayConditions = new ArrayList<>(List.of(acceptedCondition, programmed));
        if (backendClientCertificate.resolvedRefs() != null) {
            gatewayConditions.add(backendClientCertificate.resolvedRefs());
            if (!backendClientCertificate.resolvedRefs().status()) {
                diagnostics.error(key, "spec.tls.backend",
                        backendClientCertificate.resolvedRefs().message());
            }
        }
        if (frontend.insecureFallback()) {
            // Gateway condition InsecureFrontendValidationMode: present while a port accepts clients
            // without a valid certificate, removed when every mode is AllowValidOnly again.
            gatewayConditions.add(ConditionSpec.isTrue(Reasons.INSECURE_FRONTEND_VALIDATION_MODE,
                    Reasons.CONFIGURATION_CHANGED, "spec.tls.frontend sets AllowInsecureFallback: clients without a"
                            + " valid certificate are accepted"));
        }

        final List<BoundListener> bound = new ArrayList<>();
        for (ListenerDraft d : drafts) {
            bound.add(d.bind(gatewayAccepted));
        }
        // The Gateway's own listeners that take part in conflicts and won: ListenerSets' listeners come after them.
        final List<Listener> winners = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            if (servable(listeners.get(i)) && !conflicts.containsKey(i)) {
                winners.add(listeners.get(i));
            }
        }
        final AllowedNamespaces allowedSets = allowedListeners(gateway);
        final List<BoundListenerSet> sets = new ArrayList<>();
        for (ListenerSet set : listenerSetsOf(key)) {
            sets.add(validateSet(key, allowedSets, set, gatewayAccepted, winners, frontend));
        }
        final boolean reportsSets = !sets.isEmpty() || !"None".equals(allowedSets.from());
        return new BoundGateway(key, gateway, gateway.getMetadata().getGeneration(), gatewayAccepted, address,
                statusAddresses, bound, gatewayConditions, sets, reportsSets, backendClientCertificate.certificate());
    }

    /** {@code spec.allowedListeners.namespaces} (GEP-1713: absent means None). */
    private AllowedNamespaces allowedListeners(Gateway gateway) {
        return AllowedNamespaces.listenerSetsOf(gateway, this::labelsOf);
    }

    /**
     * The ListenerSets whose parentRef names {@code gateway}, in listener precedence order
     * (ListenerSetSpec.listeners): oldest first, then alphabetically by namespace/name.
     */
    private List<ListenerSet> listenerSetsOf(ResourceKey gateway) {
        final List<ListenerSet> out = new ArrayList<>();
        for (ListenerSet set : view.listenerSets()) {
            if (gateway.equals(parentGateway(set))) {
                out.add(set);
            }
        }
        out.sort(LISTENER_SET_PRECEDENCE);
        return out;
    }

    /** The Gateway a ListenerSet's {@code spec.parentRef} names (namespace defaulting to the set's), or null. */
    public static ResourceKey parentGateway(ListenerSet set) {
        final var ref = set.getSpec() == null ? null : set.getSpec().getParentRef();
        if (ref == null || ref.getName() == null
                || !ResourceKind.GATEWAY_GROUP.equals(Kinds.orDefault(ref.getGroup(), ResourceKind.GATEWAY_GROUP))
                || !ResourceKind.GATEWAY.kind().equals(Kinds.orDefault(ref.getKind(), ResourceKind.GATEWAY.kind()))) {
            return null;
        }
        return new ResourceKey(ResourceKind.GATEWAY.kind(),
                Kinds.orDefault(ref.getNamespace(), set.getMetadata().getNamespace()), ref.getName());
    }

    /** GEP-1713 Listener Precedence among ListenerSets: creation time (oldest first, unknown last), then namespace/name. */
    static final Comparator<ListenerSet> LISTENER_SET_PRECEDENCE = Comparator
            .comparing((ListenerSet s) -> CreationTimestamps.of(s), Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());

    /**
     * Validates one ListenerSet of {@code gateway}: whether the Gateway admits it, then its
     * listeners in order against {@code winners} (the listeners with precedence that won so far),
     * to which its own winners are added when the set is accepted.
     */
    private BoundListenerSet validateSet(ResourceKey gateway, AllowedNamespaces allowedSets, ListenerSet set,
                                         boolean gatewayAccepted, List<Listener> winners,
                                         FrontendValidationResolver.FrontendTls frontend) {
        final ResourceKey key = Kinds.keyOf(ResourceKind.LISTENER_SET, set);
        final Long generation = set.getMetadata().getGeneration();
        if (!allowedSets.allows(key.namespace())) {
            final String message = gateway + " does not allow this ListenerSet: "
                    + allowedSets.describe(key.namespace());
            diagnostics.error(key, "spec.parentRef", message);
            return new BoundListenerSet(key, set, generation, gateway, false, List.of(), List.of(
                    ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.NOT_ALLOWED, message),
                    ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.NOT_ALLOWED, message)));
        }
        final List<ListenerEntry> entries = set.getSpec().getListeners() == null ? List.of()
                : set.getSpec().getListeners();
        final List<Listener> claimed = new ArrayList<>(winners);
        final List<Listener> ownWinners = new ArrayList<>();
        final List<ListenerDraft> drafts = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            final Listener listener = asListener(entries.get(i));
            final String conflict = conflictWithAny(listener, claimed);
            drafts.add(validateListener(key, ResourceKind.LISTENER_SET, "spec.listeners[" + i + "]",
                    ListenerOrigin.ofListenerSet(key.namespace(), key.name(),
                            Objects.requireNonNullElse(listener.getName(), ""), gateway.namespace(), gateway.name()),
                    listener, conflict, frontend));
            if (servable(listener) && conflict == null) {
                claimed.add(listener);
                ownWinners.add(listener);
            }
        }
        final long valid = drafts.stream().filter(ListenerDraft::valid).count();
        final ConditionSpec accepted;
        final ConditionSpec programmed;
        if (!gatewayAccepted) {
            accepted = ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.PARENT_NOT_ACCEPTED, gateway + " is not accepted");
            programmed = ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.PARENT_NOT_PROGRAMMED,
                    gateway + " is not programmed");
        } else if (valid == 0) {
            final String message = "no listener is valid: " + invalid(drafts);
            accepted = ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.LISTENERS_NOT_VALID, message);
            programmed = ConditionSpec.isFalse(Reasons.PROGRAMMED, Reasons.LISTENERS_NOT_VALID, message);
        } else {
            accepted = valid < drafts.size()
                    ? ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.LISTENERS_NOT_VALID, (drafts.size() - valid) + " of "
                            + drafts.size() + " listeners are not valid: " + invalid(drafts))
                    : ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED, "ListenerSet is attached to " + gateway);
            programmed = ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED,
                    valid + " of " + drafts.size() + " listeners are served");
        }
        if (accepted.status()) {
            winners.addAll(ownWinners);
        }
        final List<BoundListener> bound = new ArrayList<>();
        for (ListenerDraft d : drafts) {
            bound.add(d.bind(accepted.status()));
        }
        return new BoundListenerSet(key, set, generation, gateway, accepted.status(), bound,
                List.of(accepted, programmed));
    }

    /** A ListenerSet's ListenerEntry as the Gateway Listener it copies (GEP-1713: "a copy of the Listener struct"). */
    private static Listener asListener(ListenerEntry entry) {
        return new ListenerBuilder().withName(entry.getName()).withHostname(entry.getHostname())
                .withPort(entry.getPort()).withProtocol(entry.getProtocol()).withTls(entry.getTls())
                .withAllowedRoutes(entry.getAllowedRoutes()).build();
    }

    /** Why {@code listener} conflicts with one of {@code earlier}, ProtocolConflict first; null when it does not. */
    private static String conflictWithAny(Listener listener, List<Listener> earlier) {
        String found = null;
        for (Listener other : earlier) {
            final String c = conflict(listener, other);
            if (Reasons.PROTOCOL_CONFLICT.equals(c)) {
                return c;
            }
            found = found == null ? c : found;
        }
        return found;
    }

    /**
     * GatewayAddressEmpty: an IPAddress entry without a value asks the implementation to "automatically
     * assign an address matching the requested type", which the addressing does (status.addresses
     * reports it as an IPAddress).
     */
    private static String values(List<GatewayStatusAddress> addresses) {
        return String.join(", ", addresses.stream().map(GatewayStatusAddress::getValue).toList());
    }

    /** The Gateway's first requested address whose type is not IPAddress (the type when unset); null if none. */
    private static GatewaySpecAddress unsupportedAddress(Gateway gateway) {
        if (gateway.getSpec() == null || gateway.getSpec().getAddresses() == null) {
            return null;
        }
        return gateway.getSpec().getAddresses().stream()
                .filter(a -> a.getType() != null && !"IPAddress".equals(a.getType())).findFirst().orElse(null);
    }

    private static boolean assignedAutomatically(GatewaySpecAddress requested) {
        return (requested.getValue() == null || requested.getValue().isEmpty())
                && (requested.getType() == null || "IPAddress".equals(requested.getType()));
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

    private static String invalid(List<ListenerDraft> drafts) {
        final List<String> names = new ArrayList<>();
        for (ListenerDraft d : drafts) {
            if (!d.valid()) {
                names.add(d.origin.listenerName() + " (" + (!d.accepted ? d.acceptedReason
                        : d.refsReason != null ? d.refsReason : Reasons.INVALID_ROUTE_KINDS) + ")");
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
            for (int j = 0; j < listeners.size(); j++) {
                final String c = i == j ? null : conflict(listeners.get(i), listeners.get(j));
                if (Reasons.PROTOCOL_CONFLICT.equals(c)) {
                    conflicts.put(i, c);
                } else if (c != null) {
                    conflicts.putIfAbsent(i, c);
                }
            }
        }
        return conflicts;
    }

    /**
     * The one rule of listener distinctness, for a pair: ProtocolConflict, HostnameConflict, or
     * null when the two may share their port (or either takes no part in conflicts).
     */
    static String conflict(Listener a, Listener b) {
        if (!servable(a) || !servable(b) || !Objects.equals(a.getPort(), b.getPort()) || transport(a) != transport(b)) {
            return null;
        }
        if (!a.getProtocol().equals(b.getProtocol())) {
            return Reasons.PROTOCOL_CONFLICT;
        }
        return normalized(a.getHostname()).equals(normalized(b.getHostname())) ? Reasons.HOSTNAME_CONFLICT : null;
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

    /**
     * @param key the resource declaring the listener (a Gateway or a ListenerSet), which diagnostics name
     * @param owner its kind: Same in allowedRoutes and ReferenceGrants are relative to it
     * @param frontend the client certificate validation of the Gateway the listener is served by
     *     (a ListenerSet's listener joins its Gateway's ports, so it validates as they do)
     */
    private ListenerDraft validateListener(ResourceKey key, ResourceKind owner, String field, ListenerOrigin origin,
                                           Listener listener, String conflict,
                                           FrontendValidationResolver.FrontendTls frontend) {
        final ListenerDraft d = new ListenerDraft();
        d.origin = origin;
        d.port = listener.getPort() == null ? 0 : listener.getPort();
        d.hostname = listener.getHostname() == null || listener.getHostname().isEmpty() ? null
                : listener.getHostname().toLowerCase(Locale.ROOT);
        final String ownerNamespace = key.namespace();
        final var namespaces = listener.getAllowedRoutes() == null ? null : listener.getAllowedRoutes().getNamespaces();
        d.allowedNamespaces = new AllowedNamespaces(owner == ResourceKind.GATEWAY ? AllowedNamespaces.GATEWAY_ROUTES
                : AllowedNamespaces.LISTENER_SET_ROUTES, namespaces == null ? null : namespaces.getFrom(), ownerNamespace,
                namespaces == null ? null : namespaces.getSelector(), this::labelsOf);

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
            resolveCertificates(key, owner, field, listener, d);
        }
        if (d.protocol == ListenerProtocol.HTTPS) {
            applyClientValidation(frontend.forPort(d.port), d);
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
        final List<ResourceKind> served = ROUTE_KINDS.get(d.protocol);
        if (kinds == null || kinds.isEmpty()) {
            served.forEach(k -> d.supportedKinds.add(routeGroupKind(k)));
            return;
        }
        final List<String> invalid = new ArrayList<>();
        for (RouteGroupKind kind : kinds) {
            final String group = Kinds.orDefault(kind.getGroup(), ResourceKind.GATEWAY_GROUP);
            final ResourceKind match = served.stream()
                    .filter(k -> k.group().equals(group) && k.kind().equals(kind.getKind())).findFirst().orElse(null);
            if (match == null) {
                invalid.add(group + "/" + kind.getKind());
            } else if (d.supportedKinds.stream().noneMatch(k -> match.kind().equals(k.getKind()))) {
                d.supportedKinds.add(routeGroupKind(match));
            }
        }
        if (!invalid.isEmpty()) {
            final String message = "route kinds not supported on " + listener.getProtocol() + ": "
                    + String.join(", ", invalid);
            d.refsFailure(Reasons.INVALID_ROUTE_KINDS, message);
            diagnostics.error(key, field + ".allowedRoutes.kinds", "listener " + listener.getName() + ": " + message);
        }
    }

    private static RouteGroupKind routeGroupKind(ResourceKind kind) {
        return new RouteGroupKindBuilder().withGroup(kind.group()).withKind(kind.kind()).build();
    }

    private void resolveCertificates(ResourceKey key, ResourceKind owner, String field, Listener listener,
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
                certificates.resolve(owner, key.namespace(), listener.getTls().getCertificateRefs());
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

    /**
     * spec.tls.frontend on an HTTPS listener (FrontendTLSValidation.caCertificateRefs): an invalid
     * reference sets ResolvedRefs=False; when none is valid the listener is also
     * Accepted=False/NoValidCACertificate, and so not served.
     */
    private static void applyClientValidation(FrontendValidationResolver.PortValidation validation, ListenerDraft d) {
        if (validation == null) {
            return;
        }
        if (validation.failureReason() != null) {
            d.refsFailure(validation.failureReason(), validation.failureMessage());
        }
        if (validation.noneValid()) {
            d.reject(Reasons.NO_VALID_CA_CERTIFICATE, "no valid CA certificate to validate client certificates: "
                    + validation.failureMessage());
            return;
        }
        d.clientValidation = validation.validation();
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
        FrontendValidation clientValidation;
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

        /** Accepted, with its certificates and at least one route kind: served once its Gateway (or set) is accepted. */
        boolean valid() {
            return accepted && certificatesOk && !supportedKinds.isEmpty();
        }

        /** @param parentAccepted whether the Gateway (for a ListenerSet's listener: the set) is accepted */
        BoundListener bind(boolean parentAccepted) {
            final boolean programmed = parentAccepted && valid();
            // A listener whose only fault is its certificate Secrets' data is served without
            // certificates: the data plane keeps presenting its last good ones.
            final boolean served = programmed || (parentAccepted && accepted && !supportedKinds.isEmpty()
                    && keepsLastGoodCertificate);
            final List<ConditionSpec> conditions = new ArrayList<>();
            conditions.add(new ConditionSpec(Reasons.ACCEPTED, accepted, acceptedReason, acceptedMessage));
            if (programmed) {
                conditions.add(ConditionSpec.isTrue(Reasons.PROGRAMMED, Reasons.PROGRAMMED, "listener is served"));
            } else {
                conditions.add(ConditionSpec.isFalse(Reasons.PROGRAMMED, conflict != null ? conflict : Reasons.INVALID,
                        !accepted ? acceptedMessage
                                : served ? refsMessage + "; the data plane keeps presenting the listener's last good"
                                        + " certificate, if it had one"
                                : refsMessage != null ? refsMessage
                                : !parentAccepted ? (origin.fromListenerSet() ? "ListenerSet" : "Gateway") + " is not accepted"
                                : "listener is not served"));
            }
            conditions.add(refsReason == null
                    ? ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS, "all references are resolved")
                    : ConditionSpec.isFalse(Reasons.RESOLVED_REFS, refsReason, refsMessage));
            conditions.add(conflict == null
                    ? ConditionSpec.isFalse(Reasons.CONFLICTED, Reasons.NO_CONFLICTS, "no conflicts")
                    : ConditionSpec.isTrue(Reasons.CONFLICTED, conflict, acceptedMessage));
            return new BoundListener(origin, port, protocol, tlsMode, hostname, accepted, programmed, served,
                    allowedNamespaces, supportedKinds, certificates, clientValidation, conditions);
        }
    }
}
