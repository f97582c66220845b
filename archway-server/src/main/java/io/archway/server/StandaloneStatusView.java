package io.archway.server;

import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The standalone status writer: keeps copies of GatewayClasses, Gateways, ListenerSets, routes and BackendTLSPolicies with the
 * translator's status set, and stamps each condition's {@code lastTransitionTime} - the translator
 * leaves it null because only the writer knows the previous value. A condition keeps its previous
 * time while its status stays the same.
 *
 * <p>{@link #publish} is called from the rebuild loop only; readers get deep copies.
 */
final class StandaloneStatusView implements StatusView {
    private static final Comparator<HasMetadata> ORDER = Comparator
            .comparing((HasMetadata o) -> Objects.toString(o.getMetadata().getNamespace(), ""))
            .thenComparing(o -> o.getMetadata().getName());

    private final Clock clock;
    private volatile Published published = new Published(Map.of(), List.of(), 0);
    /** condition identity -> (status, time); replaced on every publish. */
    private Map<String, Stamp> stamps = new HashMap<>();

    private record Published(Map<ResourceKind, List<HasMetadata>> byKind, List<Diagnostic> diagnostics, long servedVersion) {
    }

    private record Stamp(String status, String time) {
    }

    StandaloneStatusView(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<HasMetadata> list(String kind, String namespace) {
        ResourceKind k = StatusView.kind(kind).orElseThrow(() -> new IllegalArgumentException("unknown kind " + kind));
        List<HasMetadata> out = new ArrayList<>();
        for (HasMetadata o : published.byKind().getOrDefault(k, List.of())) {
            if (namespace == null || k.clusterScoped() || namespace.equals(o.getMetadata().getNamespace())) {
                out.add(KubeJson.deepCopy(o));
            }
        }
        return out;
    }

    @Override
    public List<Diagnostic> diagnostics() {
        return published.diagnostics();
    }

    @Override
    public long servedVersion() {
        return published.servedVersion();
    }

    /** Publishes a translation that the data plane now serves. */
    synchronized void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics, long servedVersion) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Stamp> next = new HashMap<>();
        Map<ResourceKind, List<HasMetadata>> byKind = new HashMap<>();

        List<HasMetadata> classes = new ArrayList<>();
        for (GatewayClass gc : view.gatewayClasses()) {
            GatewayClass copy = KubeJson.deepCopy(gc);
            ResourceKey key = new ResourceKey(ResourceKind.GATEWAY_CLASS.kind(), "", gc.getMetadata().getName());
            GatewayClassStatus st = report.gatewayClasses().get(key);
            if (st != null) {
                st = KubeJson.deepCopy(st);
                stamp(key + "|", st.getConditions(), now, next);
            }
            copy.setStatus(st);
            classes.add(copy);
        }
        List<HasMetadata> gateways = new ArrayList<>();
        for (Gateway gw : view.gateways()) {
            Gateway copy = KubeJson.deepCopy(gw);
            ResourceKey key = new ResourceKey(ResourceKind.GATEWAY.kind(), gw.getMetadata().getNamespace(), gw.getMetadata().getName());
            GatewayStatus st = report.gateways().get(key);
            if (st != null) {
                st = KubeJson.deepCopy(st);
                stamp(key + "|", st.getConditions(), now, next);
                if (st.getListeners() != null) {
                    for (ListenerStatus ls : st.getListeners()) {
                        stamp(key + "|listener=" + ls.getName() + "|", ls.getConditions(), now, next);
                    }
                }
            }
            copy.setStatus(st);
            gateways.add(copy);
        }
        List<HasMetadata> listenerSets = new ArrayList<>();
        for (ListenerSet set : view.listenerSets()) {
            ListenerSet copy = KubeJson.deepCopy(set);
            ResourceKey key = new ResourceKey(ResourceKind.LISTENER_SET.kind(), set.getMetadata().getNamespace(),
                    set.getMetadata().getName());
            ListenerSetStatus st = report.listenerSets().get(key);
            if (st != null) {
                st = KubeJson.deepCopy(st);
                stamp(key + "|", st.getConditions(), now, next);
                if (st.getListeners() != null) {
                    for (ListenerEntryStatus ls : st.getListeners()) {
                        stamp(key + "|listener=" + ls.getName() + "|", ls.getConditions(), now, next);
                    }
                }
            }
            copy.setStatus(st);
            listenerSets.add(copy);
        }
        listenerSets.sort(ORDER);
        byKind.put(ResourceKind.LISTENER_SET, List.copyOf(listenerSets));
        for (ResourceKind kind : KINDS) {
            if (!kind.isRoute()) {
                continue;
            }
            List<HasMetadata> routes = new ArrayList<>();
            for (HasMetadata r : view.<HasMetadata>list(kind)) {
                ResourceKey key = new ResourceKey(kind.kind(), r.getMetadata().getNamespace(), r.getMetadata().getName());
                List<RouteParentStatus> parents = report.routes().get(key);
                if (parents != null) {
                    parents = parents.stream().map(KubeJson::deepCopy).toList();
                    for (RouteParentStatus ps : parents) {
                        stamp(key + "|parent=" + parentId(ps) + "|", ps.getConditions(), now, next);
                    }
                }
                routes.add(withParents(r, parents));
            }
            routes.sort(ORDER);
            byKind.put(kind, List.copyOf(routes));
        }
        List<HasMetadata> policies = new ArrayList<>();
        for (BackendTLSPolicy policy : view.<BackendTLSPolicy>list(ResourceKind.BACKEND_TLS_POLICY)) {
            BackendTLSPolicy copy = KubeJson.deepCopy(policy);
            ResourceKey key = new ResourceKey(ResourceKind.BACKEND_TLS_POLICY.kind(), policy.getMetadata().getNamespace(),
                    policy.getMetadata().getName());
            PolicyStatus st = report.policies().get(key);
            if (st != null) {
                st = KubeJson.deepCopy(st);
                for (PolicyAncestorStatus ancestor : st.getAncestors()) {
                    ParentReference a = ancestor.getAncestorRef();
                    stamp(key + "|ancestor=" + a.getNamespace() + "/" + a.getName() + "|", ancestor.getConditions(), now,
                            next);
                }
            }
            copy.setStatus(st);
            policies.add(copy);
        }
        policies.sort(ORDER);
        byKind.put(ResourceKind.BACKEND_TLS_POLICY, List.copyOf(policies));
        classes.sort(ORDER);
        gateways.sort(ORDER);
        byKind.put(ResourceKind.GATEWAY_CLASS, List.copyOf(classes));
        byKind.put(ResourceKind.GATEWAY, List.copyOf(gateways));
        stamps = next;
        published = new Published(Map.copyOf(byKind), List.copyOf(diagnostics), servedVersion);
    }

    /** Replaces the diagnostics only (the served state did not change, e.g. a rejected snapshot). */
    synchronized void publishDiagnostics(List<Diagnostic> diagnostics) {
        Published p = published;
        published = new Published(p.byKind(), List.copyOf(diagnostics), p.servedVersion());
    }

    private void stamp(String scope, List<Condition> conditions, String now, Map<String, Stamp> next) {
        if (conditions == null) {
            return;
        }
        for (Condition c : conditions) {
            String id = scope + c.getType();
            Stamp prev = stamps.get(id);
            String time = prev != null && Objects.equals(prev.status(), c.getStatus()) ? prev.time() : now;
            c.setLastTransitionTime(time);
            next.put(id, new Stamp(c.getStatus(), time));
        }
    }

    /**
     * A copy of a route of any kind with {@code status.parents} set (every route kind's status is
     * its parents alone), or with no status when none of its parents is ours.
     */
    private static HasMetadata withParents(HasMetadata route, List<RouteParentStatus> parents) {
        ObjectNode tree = KubeJson.mapper().valueToTree(route);
        tree.remove("status");
        if (parents != null) {
            tree.putObject("status").set("parents", KubeJson.mapper().valueToTree(parents));
        }
        return KubeJson.mapper().convertValue(tree, route.getClass());
    }

    private static String parentId(RouteParentStatus ps) {
        ParentReference p = ps.getParentRef();
        if (p == null) {
            return ps.getControllerName();
        }
        return p.getGroup() + "/" + p.getKind() + "/" + p.getNamespace() + "/" + p.getName() + "/"
                + p.getSectionName() + "/" + p.getPort() + "/" + ps.getControllerName();
    }
}
