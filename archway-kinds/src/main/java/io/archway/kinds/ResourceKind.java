package io.archway.kinds;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The resource kinds Archway knows, in one place: for each its kind, API group, plural and
 * kubectl short names, scope, the API versions it accepts in manifests, the fabric8 model class it
 * is read into, whether it is a route kind, and whether Archway serves it yet.
 *
 * <p>The accepted versions are those the Gateway API v1.6.1 CRDs serve (standard and
 * experimental channels) plus the deprecated ones that older manifests and the seeds still use:
 * {@code v1alpha2} and {@code v1beta1} for the kinds that graduated to v1. Every kind is read at
 * its first version ({@link #preferredVersion()}, v1 throughout) into {@link #modelClass()}.
 */
public enum ResourceKind {
    GATEWAY_CLASS(ResourceKind.GATEWAY_GROUP, "GatewayClass", "gatewayclasses", names("gc"), Scope.CLUSTER,
            versions("v1", "v1beta1", "v1alpha2"), GatewayClass.class, Role.RESOURCE, true),
    GATEWAY(ResourceKind.GATEWAY_GROUP, "Gateway", "gateways", names("gtw"), Scope.NAMESPACED,
            versions("v1", "v1beta1", "v1alpha2"), Gateway.class, Role.RESOURCE, true),
    HTTP_ROUTE(ResourceKind.GATEWAY_GROUP, "HTTPRoute", "httproutes", names(), Scope.NAMESPACED,
            versions("v1", "v1beta1", "v1alpha2"), HTTPRoute.class, Role.ROUTE, true),
    GRPC_ROUTE(ResourceKind.GATEWAY_GROUP, "GRPCRoute", "grpcroutes", names(), Scope.NAMESPACED,
            versions("v1", "v1alpha2"), GRPCRoute.class, Role.ROUTE, true),
    TLS_ROUTE(ResourceKind.GATEWAY_GROUP, "TLSRoute", "tlsroutes", names(), Scope.NAMESPACED,
            versions("v1", "v1alpha3", "v1alpha2"), TLSRoute.class, Role.ROUTE, true),
    TCP_ROUTE(ResourceKind.GATEWAY_GROUP, "TCPRoute", "tcproutes", names(), Scope.NAMESPACED,
            versions("v1", "v1alpha2"), TCPRoute.class, Role.ROUTE, true),
    UDP_ROUTE(ResourceKind.GATEWAY_GROUP, "UDPRoute", "udproutes", names(), Scope.NAMESPACED,
            versions("v1", "v1alpha2"), UDPRoute.class, Role.ROUTE, true),
    REFERENCE_GRANT(ResourceKind.GATEWAY_GROUP, "ReferenceGrant", "referencegrants", names("refgrant"),
            Scope.NAMESPACED, versions("v1", "v1beta1", "v1alpha2"), ReferenceGrant.class, Role.RESOURCE, true),
    BACKEND_TLS_POLICY(ResourceKind.GATEWAY_GROUP, "BackendTLSPolicy", "backendtlspolicies", names("btlspolicy"),
            Scope.NAMESPACED, versions("v1", "v1alpha3"), BackendTLSPolicy.class, Role.RESOURCE, true),
    LISTENER_SET(ResourceKind.GATEWAY_GROUP, "ListenerSet", "listenersets", names("lset"), Scope.NAMESPACED,
            versions("v1"), ListenerSet.class, Role.RESOURCE, true),
    SERVICE(ResourceKind.CORE_GROUP, "Service", "services", names("svc"), Scope.NAMESPACED, versions("v1"),
            Service.class, Role.RESOURCE, true),
    ENDPOINT_SLICE(ResourceKind.DISCOVERY_GROUP, "EndpointSlice", "endpointslices", names(), Scope.NAMESPACED,
            versions("v1", "v1beta1"), EndpointSlice.class, Role.RESOURCE, true, "addressType", "endpoints", "ports"),
    SECRET(ResourceKind.CORE_GROUP, "Secret", "secrets", names(), Scope.NAMESPACED, versions("v1"), Secret.class,
            Role.RESOURCE, true, "data", "stringData", "type", "immutable"),
    CONFIG_MAP(ResourceKind.CORE_GROUP, "ConfigMap", "configmaps", names("cm"), Scope.NAMESPACED, versions("v1"),
            ConfigMap.class, Role.RESOURCE, true, "data", "binaryData", "immutable"),
    NAMESPACE(ResourceKind.CORE_GROUP, "Namespace", "namespaces", names("ns"), Scope.CLUSTER, versions("v1"),
            Namespace.class, Role.RESOURCE, true);

    /** The Gateway API group. */
    public static final String GATEWAY_GROUP = "gateway.networking.k8s.io";
    /** The core group, spelt as the empty string (as references spell it). */
    public static final String CORE_GROUP = "";
    /** The group of EndpointSlice. */
    public static final String DISCOVERY_GROUP = "discovery.k8s.io";

    /** Fields every object may have at its top level. */
    public static final Set<String> COMMON_TOP_LEVEL_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec", "status");

    /** Whether objects of a kind live in a namespace. */
    public enum Scope { NAMESPACED, CLUSTER }

    private enum Role { ROUTE, RESOURCE }

    private final String group;
    private final String kind;
    private final String plural;
    private final List<String> shortNames;
    private final Scope scope;
    private final List<String> versions;
    private final Class<? extends HasMetadata> modelClass;
    private final boolean route;
    private final boolean servedByArchway;
    private final Set<String> extraTopLevelFields;

    ResourceKind(String group, String kind, String plural, List<String> shortNames, Scope scope, List<String> versions,
            Class<? extends HasMetadata> modelClass, Role role, boolean servedByArchway, String... extraTopLevelFields) {
        this.group = group;
        this.kind = kind;
        this.plural = plural;
        this.shortNames = shortNames;
        this.scope = scope;
        this.versions = versions;
        this.modelClass = modelClass;
        this.route = role == Role.ROUTE;
        this.servedByArchway = servedByArchway;
        this.extraTopLevelFields = Set.of(extraTopLevelFields);
    }

    private static List<String> names(String... names) {
        return List.of(names);
    }

    private static List<String> versions(String... versions) {
        return List.of(versions);
    }

    /** The Kubernetes {@code kind}, e.g. {@code HTTPRoute}. */
    public String kind() {
        return kind;
    }

    /** The API group; empty for the core group. */
    public String group() {
        return group;
    }

    /** The lower-case plural resource name, e.g. {@code httproutes} (the URL path segment). */
    public String plural() {
        return plural;
    }

    /** kubectl's short names, e.g. {@code gtw}; often none. */
    public List<String> shortNames() {
        return shortNames;
    }

    public Scope scope() {
        return scope;
    }

    public boolean namespaced() {
        return scope == Scope.NAMESPACED;
    }

    public boolean clusterScoped() {
        return scope == Scope.CLUSTER;
    }

    /** The API versions accepted in manifests, the one Archway reads first. */
    public List<String> versions() {
        return versions;
    }

    /** True when manifests may use {@code version} (e.g. {@code v1beta1}) for this kind. */
    public boolean accepts(String version) {
        return versions.contains(version);
    }

    /** The version Archway reads objects at: {@link #modelClass()} is that version's class. */
    public String preferredVersion() {
        return versions.get(0);
    }

    /** {@code apiVersion} at the preferred version: {@code gateway.networking.k8s.io/v1}, or {@code v1} for core. */
    public String apiVersion() {
        return group.isEmpty() ? preferredVersion() : group + "/" + preferredVersion();
    }

    /** The fabric8 class objects of this kind are read into (at {@link #preferredVersion()}). */
    public Class<? extends HasMetadata> modelClass() {
        return modelClass;
    }

    /** True for the route kinds: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute. */
    public boolean isRoute() {
        return route;
    }

    /** True when Archway reads and translates this kind now; the others are reported and ignored. */
    public boolean servedByArchway() {
        return servedByArchway;
    }

    /** Top-level fields allowed besides {@link #COMMON_TOP_LEVEL_FIELDS}, e.g. a Secret's {@code data}. */
    public Set<String> extraTopLevelFields() {
        return extraTopLevelFields;
    }

    /** True when {@code field} may appear at the top level of an object of this kind. */
    public boolean allowsTopLevelField(String field) {
        return COMMON_TOP_LEVEL_FIELDS.contains(field) || extraTopLevelFields.contains(field);
    }

    // ---- lookups ---------------------------------------------------------------------------

    private static final List<ResourceKind> ALL = List.of(values());
    private static final List<ResourceKind> ROUTES = ALL.stream().filter(ResourceKind::isRoute).toList();

    /** The kind named exactly {@code kind} (kind names are unique across the registry). */
    public static Optional<ResourceKind> byKind(String kind) {
        return ALL.stream().filter(k -> k.kind.equals(kind)).findFirst();
    }

    /** The kind {@code kind} of API group {@code group} (empty or null: the core group). */
    public static Optional<ResourceKind> of(String group, String kind) {
        String g = group == null ? CORE_GROUP : group;
        return byKind(kind).filter(k -> k.group.equals(g));
    }

    /** The kind whose objects are read into {@code modelClass}. */
    public static Optional<ResourceKind> of(Class<? extends HasMetadata> modelClass) {
        return ALL.stream().filter(k -> k.modelClass.equals(modelClass)).findFirst();
    }

    /** The kind whose model class {@code object} is an instance of. */
    public static Optional<ResourceKind> of(HasMetadata object) {
        return ALL.stream().filter(k -> k.modelClass.isInstance(object)).findFirst();
    }

    /**
     * A kubectl-style name, case-insensitively: the kind ({@code HTTPRoute}, {@code httproute}),
     * the plural ({@code httproutes}) or a short name ({@code gtw}).
     */
    public static Optional<ResourceKind> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(k -> k.kind.toLowerCase(Locale.ROOT).equals(n) || k.plural.equals(n)
                || k.shortNames.contains(n)).findFirst();
    }

    /** The route kinds, in registry order. */
    public static List<ResourceKind> routes() {
        return ROUTES;
    }

    /** Every kind, in registry order. */
    public static List<ResourceKind> all() {
        return ALL;
    }

    /** {@code kinds}' kinds, e.g. "HTTPRoute or GRPCRoute". */
    public static String describe(List<ResourceKind> kinds) {
        String[] names = kinds.stream().map(ResourceKind::kind).toArray(String[]::new);
        return names.length <= 1 ? String.join("", names)
                : String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
    }
}
