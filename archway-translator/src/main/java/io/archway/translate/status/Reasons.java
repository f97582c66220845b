package io.archway.translate.status;

/**
 * Condition types and reasons, with values exactly as the Gateway API spec spells them
 * ({@code apis/v1/gateway_types.go}, {@code gatewayclass_types.go}, {@code listenerset_types.go},
 * {@code shared_types.go}).
 */
public final class Reasons {
    private Reasons() {
    }

    // Condition types.
    public static final String ACCEPTED = "Accepted";
    public static final String PROGRAMMED = "Programmed";
    public static final String RESOLVED_REFS = "ResolvedRefs";
    public static final String CONFLICTED = "Conflicted";

    // GatewayClass and Gateway Accepted reasons.
    public static final String INVALID_PARAMETERS = "InvalidParameters";
    public static final String LISTENERS_NOT_VALID = "ListenersNotValid";
    public static final String PENDING = "Pending";

    // ListenerSet Accepted and Programmed reasons (listenerset_types.go).
    public static final String NOT_ALLOWED = "NotAllowed";
    public static final String PARENT_NOT_ACCEPTED = "ParentNotAccepted";
    public static final String PARENT_NOT_PROGRAMMED = "ParentNotProgrammed";

    // Gateway and Listener Programmed reasons.
    public static final String INVALID = "Invalid";

    // Listener reasons.
    public static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
    public static final String PROTOCOL_CONFLICT = "ProtocolConflict";
    public static final String HOSTNAME_CONFLICT = "HostnameConflict";
    public static final String NO_CONFLICTS = "NoConflicts";
    public static final String INVALID_CERTIFICATE_REF = "InvalidCertificateRef";
    public static final String INVALID_ROUTE_KINDS = "InvalidRouteKinds";
    public static final String REF_NOT_PERMITTED = "RefNotPermitted";

    // Client certificate validation (Gateway spec.tls.frontend): Listener ResolvedRefs and Accepted
    // reasons, and the Gateway condition an AllowInsecureFallback mode raises.
    public static final String INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";
    public static final String INVALID_CA_CERTIFICATE_KIND = "InvalidCACertificateKind";
    public static final String NO_VALID_CA_CERTIFICATE = "NoValidCACertificate";
    public static final String INSECURE_FRONTEND_VALIDATION_MODE = "InsecureFrontendValidationMode";
    public static final String CONFIGURATION_CHANGED = "ConfigurationChanged";

    // Route parent reasons.
    public static final String NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners";
    public static final String NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname";
    public static final String NO_MATCHING_PARENT = "NoMatchingParent";
    /** A route parent reason, and a Listener Accepted reason (e.g. a TLS listener in Terminate mode). */
    public static final String UNSUPPORTED_VALUE = "UnsupportedValue";
    /** Gateway Accepted=False: a requested address's type is not supported. */
    public static final String UNSUPPORTED_ADDRESS = "UnsupportedAddress";
    /** Gateway Programmed=False: no address is assigned yet (e.g. a load balancer pending). */
    public static final String ADDRESS_NOT_ASSIGNED = "AddressNotAssigned";
    /** Gateway Programmed=False: a requested address cannot be used (GatewayStaticAddresses). */
    public static final String ADDRESS_NOT_USABLE = "AddressNotUsable";
    public static final String INCOMPATIBLE_FILTERS = "IncompatibleFilters";
    public static final String BACKEND_NOT_FOUND = "BackendNotFound";
    public static final String INVALID_KIND = "InvalidKind";
}
