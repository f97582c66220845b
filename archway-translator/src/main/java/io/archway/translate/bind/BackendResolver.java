package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Resolves an HTTPBackendRef to a weighted backend (BackendObjectReference): only core Services
 * (InvalidKind otherwise); a cross-namespace reference needs a ReferenceGrant from the HTTPRoute
 * (RefNotPermitted); the Service and its port must exist (BackendNotFound). The Service port
 * resolves to the endpoint port through the EndpointSlices labelled
 * {@code kubernetes.io/service-name}, whose ports carry the Service port's name; only ready
 * endpoints (or those whose readiness is unknown) are kept. An invalid reference still becomes a
 * backend, with an {@code invalidReason}: its share of the traffic is answered with 500. A Service
 * port a BackendTLSPolicy targets is spoken to over TLS ({@link BackendTlsPolicies#tlsFor}).
 */
public final class BackendResolver {
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** A resolved backend and, when invalid, a message saying why. */
    public record Resolved(WeightedBackend backend, String message) {
    }

    private final ReferenceGrantIndex grants;
    private final BackendTlsPolicies tlsPolicies;
    private final ResourceView view;
    /**
     * "namespace/name" to Service; indexed on the first look-up (a translation that compiles no
     * route, such as a route removed in place, reads no Service).
     */
    private Map<String, Service> services;
    /** "namespace/service name" to its EndpointSlices; indexed with {@link #services}. */
    private Map<String, List<EndpointSlice>> slices;

    public BackendResolver(ResourceView view, ReferenceGrantIndex grants, BackendTlsPolicies tlsPolicies) {
        this.view = view;
        this.grants = grants;
        this.tlsPolicies = tlsPolicies;
    }

    /** Synchronized: explain's models may be read by several threads; uncontended in a translation. */
    private synchronized void index() {
        if (services != null) {
            return;
        }
        services = new HashMap<>();
        slices = new HashMap<>();
        for (Service s : view.services()) {
            services.putIfAbsent(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
        }
        for (EndpointSlice slice : view.endpointSlices()) {
            final Map<String, String> labels = slice.getMetadata().getLabels();
            if (labels != null && labels.get(SERVICE_NAME_LABEL) != null) {
                slices.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + labels.get(SERVICE_NAME_LABEL),
                        k -> new ArrayList<>()).add(slice);
            }
        }
    }

    /** An HTTPRoute's backendRef, with its backendRef-level filters. */
    public Resolved resolve(String routeNamespace, HTTPBackendRef ref, List<HttpFilter> filters) {
        return resolve(ResourceKind.HTTP_ROUTE, routeNamespace, ref.getGroup(), ref.getKind(), ref.getNamespace(),
                ref.getName(), ref.getPort(), ref.getWeight(), filters);
    }

    /**
     * A GRPCRoute's backendRef, with its backendRef-level filters. gRPC runs over HTTP/2 only, so
     * the backend is spoken to with HTTP/2 prior knowledge (h2c) whatever the Service port's
     * appProtocol says (GRPCRoute implies it; {@code kubernetes.io/h2c} states it), or over TLS
     * with ALPN h2 when a BackendTLSPolicy targets the port.
     */
    public Resolved resolve(String routeNamespace, GRPCBackendRef ref, List<HttpFilter> filters) {
        return h2c(resolve(ResourceKind.GRPC_ROUTE, routeNamespace, ref.getGroup(), ref.getKind(),
                ref.getNamespace(), ref.getName(), ref.getPort(), ref.getWeight(), filters));
    }

    /**
     * An HTTPRoute RequestMirror's backendRef: resolved like a backendRef (same kinds,
     * ReferenceGrant and Service checks), weight 1, no filters.
     */
    public Resolved resolveMirror(String routeNamespace, BackendObjectReference ref) {
        return resolve(ResourceKind.HTTP_ROUTE, routeNamespace, ref.getGroup(), ref.getKind(), ref.getNamespace(),
                ref.getName(), ref.getPort(), 1, List.of());
    }

    /**
     * A GRPCRoute RequestMirror's backendRef: resolved like a GRPCRoute backendRef (ReferenceGrant
     * from GRPCRoute), weight 1, no filters, spoken to over h2c as every gRPC backend is (the mirror
     * carries the same gRPC call).
     */
    public Resolved resolveGrpcMirror(String routeNamespace, BackendObjectReference ref) {
        final Resolved resolved = resolve(ResourceKind.GRPC_ROUTE, routeNamespace, ref.getGroup(), ref.getKind(),
                ref.getNamespace(), ref.getName(), ref.getPort(), 1, List.of());
        return h2c(resolved);
    }

    /** A backend spoken to with HTTP/2 prior knowledge whatever its Service port's appProtocol. */
    private static Resolved h2c(Resolved resolved) {
        final WeightedBackend b = resolved.backend();
        return b.protocol() == AppProtocol.H2C ? resolved : new Resolved(new WeightedBackend(b.origin(), b.weight(),
                AppProtocol.H2C, b.endpoints(), b.invalidReason(), b.filters(), b.tls()), resolved.message());
    }

    /** A backendRef of another route kind (TCPRoute, UDPRoute: no filters). */
    public Resolved resolve(ResourceKind routeKind, String routeNamespace, BackendRef ref) {
        return resolve(routeKind, routeNamespace, ref.getGroup(), ref.getKind(), ref.getNamespace(), ref.getName(),
                ref.getPort(), ref.getWeight(), List.of());
    }

    /**
     * BackendObjectReference: a core Service (the default kind) in the route's namespace unless
     * one is named, which then needs a ReferenceGrant from the route's kind; weight defaults to 1.
     */
    private Resolved resolve(ResourceKind routeKind, String routeNamespace, String refGroup, String refKind,
                             String refNamespace, String refName, Integer refPort, Integer refWeight,
                             List<HttpFilter> filters) {
        final String group = Kinds.coreGroupIfUnset(refGroup);
        final String kind = Kinds.orDefault(refKind, ResourceKind.SERVICE.kind());
        final String namespace = Kinds.orDefault(refNamespace, routeNamespace);
        final int port = refPort == null ? 0 : refPort;
        final int weight = refWeight == null ? 1 : Math.max(0, refWeight);
        final BackendOrigin origin = new BackendOrigin(group.isEmpty() ? kind : group + "/" + kind, namespace,
                Objects.requireNonNullElse(refName, ""), port);
        final String what = origin.kind() + " " + namespace + "/" + origin.name();
        if (!group.isEmpty() || !ResourceKind.SERVICE.kind().equals(kind)) {
            return invalid(origin, weight, filters, Reasons.INVALID_KIND, what + " is not a core Service");
        }
        if (!grants.permits(routeKind.group(), routeKind.kind(), routeNamespace, ResourceKind.CORE_GROUP, ResourceKind.SERVICE.kind(),
                namespace, origin.name())) {
            return invalid(origin, weight, filters, Reasons.REF_NOT_PERMITTED,
                    what + " is in another namespace and no ReferenceGrant allows it");
        }
        index();
        final Service service = services.get(namespace + "/" + origin.name());
        if (service == null) {
            return invalid(origin, weight, filters, Reasons.BACKEND_NOT_FOUND, what + " does not exist");
        }
        if (refPort == null) {
            return invalid(origin, weight, filters, Reasons.BACKEND_NOT_FOUND, what + ": port is required");
        }
        final ServicePort servicePort = service.getSpec() == null || service.getSpec().getPorts() == null ? null
                : service.getSpec().getPorts().stream().filter(p -> Objects.equals(p.getPort(), port))
                        .findFirst().orElse(null);
        if (servicePort == null) {
            return invalid(origin, weight, filters, Reasons.BACKEND_NOT_FOUND, what + " has no port " + port);
        }
        return new Resolved(new WeightedBackend(origin, weight, appProtocol(servicePort.getAppProtocol()),
                endpoints(namespace, origin.name(), servicePort), null, filters,
                tlsPolicies.tlsFor(namespace, origin.name(), servicePort)), null);
    }

    /**
     * The BackendTLSPolicies targeting the Service port a backend names (the ancestors of their
     * status are the Gateways its routes attach to); empty for anything else.
     */
    public List<ResourceKey> tlsPoliciesOf(BackendOrigin backend) {
        if (!ResourceKind.SERVICE.kind().equals(backend.kind())) {
            return List.of();
        }
        index();
        final Service service = services.get(backend.namespace() + "/" + backend.name());
        final ServicePort port = service == null || service.getSpec() == null || service.getSpec().getPorts() == null
                ? null : service.getSpec().getPorts().stream().filter(p -> Objects.equals(p.getPort(), backend.port()))
                        .findFirst().orElse(null);
        return port == null ? List.of() : tlsPolicies.targeting(backend.namespace(), backend.name(), port.getName());
    }

    private static Resolved invalid(BackendOrigin origin, int weight, List<HttpFilter> filters, String reason,
                                    String message) {
        return new Resolved(new WeightedBackend(origin, weight, AppProtocol.HTTP1, List.of(), reason, filters),
                message);
    }

    static AppProtocol appProtocol(String appProtocol) {
        if ("kubernetes.io/h2c".equals(appProtocol)) {
            return AppProtocol.H2C;
        }
        if ("kubernetes.io/ws".equals(appProtocol)) {
            return AppProtocol.WEBSOCKET;
        }
        return AppProtocol.HTTP1;
    }

    /** Ready endpoints of the Service port, sorted by address then port, without duplicates. */
    private List<Endpoint> endpoints(String namespace, String serviceName, ServicePort servicePort) {
        final Set<Endpoint> out = new LinkedHashSet<>();
        index();
        for (EndpointSlice slice : slices.getOrDefault(namespace + "/" + serviceName, List.of())) {
            final Integer port = slicePort(slice, servicePort);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint : slice.getEndpoints()) {
                final boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (ready && endpoint.getAddresses() != null) {
                    endpoint.getAddresses().forEach(a -> out.add(new Endpoint(a, port)));
                }
            }
        }
        final List<Endpoint> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
        return sorted;
    }

    /**
     * The slice's port for the Service port: the one with the Service port's name (both unnamed
     * for a single-port Service); failing that a numeric targetPort (or the port itself).
     */
    private static Integer slicePort(EndpointSlice slice, ServicePort servicePort) {
        final String name = Objects.requireNonNullElse(servicePort.getName(), "");
        if (slice.getPorts() != null) {
            for (EndpointPort p : slice.getPorts()) {
                if (name.equals(Objects.requireNonNullElse(p.getName(), "")) && p.getPort() != null) {
                    return p.getPort();
                }
            }
        }
        final IntOrString target = servicePort.getTargetPort();
        if (target == null) {
            return servicePort.getPort();
        }
        return target.getIntVal();
    }
}
