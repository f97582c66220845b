package io.archway.client;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/** A kind-neutral view of the rules and backendRefs of an HTTPRoute or GRPCRoute. */
public final class RouteRules {

    /** One rule: its name and backendRefs. */
    public record Rule(String name, List<Backend> backends) {}

    /** One backendRef; {@link #setWeight} writes through to the route object. */
    public record Backend(String name, String namespace, Supplier<Integer> weightGetter, IntConsumer weightSetter) {
        public Integer weight() {
            return weightGetter.get();
        }

        public void setWeight(int weight) {
            weightSetter.accept(weight);
        }
    }

    private RouteRules() {}

    /** The rules of {@code route} (an HTTPRoute or GRPCRoute); backendRef namespaces default to the route's. */
    public static List<Rule> of(HasMetadata route) {
        String routeNs = route.getMetadata() == null || route.getMetadata().getNamespace() == null
                ? RouteRef.DEFAULT_NAMESPACE : route.getMetadata().getNamespace();
        List<Rule> rules = new ArrayList<>();
        if (route instanceof HTTPRoute http) {
            if (http.getSpec() == null || http.getSpec().getRules() == null) {
                return rules;
            }
            for (HTTPRouteRule r : http.getSpec().getRules()) {
                List<Backend> backends = new ArrayList<>();
                if (r.getBackendRefs() != null) {
                    for (HTTPBackendRef b : r.getBackendRefs()) {
                        backends.add(new Backend(b.getName(), nsOr(b.getNamespace(), routeNs), b::getWeight, b::setWeight));
                    }
                }
                rules.add(new Rule(r.getName(), backends));
            }
        } else if (route instanceof GRPCRoute grpc) {
            if (grpc.getSpec() == null || grpc.getSpec().getRules() == null) {
                return rules;
            }
            for (GRPCRouteRule r : grpc.getSpec().getRules()) {
                List<Backend> backends = new ArrayList<>();
                if (r.getBackendRefs() != null) {
                    for (GRPCBackendRef b : r.getBackendRefs()) {
                        backends.add(new Backend(b.getName(), nsOr(b.getNamespace(), routeNs), b::getWeight, b::setWeight));
                    }
                }
                rules.add(new Rule(r.getName(), backends));
            }
        } else {
            throw new IllegalArgumentException("not an HTTPRoute or GRPCRoute: " + route.getKind());
        }
        return rules;
    }

    private static String nsOr(String ns, String fallback) {
        return ns == null || ns.isBlank() ? fallback : ns;
    }
}
