package io.archway.translate.compile;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.ResourceKey;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.CreationTimestamps;
import io.archway.translate.bind.Kinds;
import io.archway.translate.bind.RouteContext;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 3 for GRPCRoute: compiles its rules into the same route entries an HTTPRoute gives, one
 * per (rule, match). A gRPC call is an HTTP/2 POST to {@code /<service>/<method>}
 * (gRPC over HTTP2, "Path"), so a method match becomes a POST match on that path: Exact service
 * and method an Exact path, anything else a regular expression over the two path segments; header
 * matches carry over as they are. A rule without matches takes every gRPC call. Backends are
 * resolved as HTTPRoute's are and spoken to over h2c.
 */
public final class GrpcRouteRuleCompiler {
    /** gRPC calls are always POST (gRPC over HTTP2, "Request-Headers"). */
    static final String METHOD = "POST";
    /** A path segment of a gRPC path: the service or the method when not matched on. */
    private static final String ANY_SEGMENT = "[^/]+";

    private final BackendResolver backends;
    private final Diagnostics diagnostics;

    public GrpcRouteRuleCompiler(BackendResolver backends, Diagnostics diagnostics) {
        this.backends = backends;
        this.diagnostics = diagnostics;
    }

    public CompiledRoute compile(GRPCRoute route) {
        final ResourceKey key = Kinds.keyOf(ResourceKind.GRPC_ROUTE, route);
        final String namespace = key.namespace();
        final List<GRPCRouteRule> rules = route.getSpec() == null || route.getSpec().getRules() == null
                || route.getSpec().getRules().isEmpty() ? List.of(new GRPCRouteRule()) : route.getSpec().getRules();
        final List<HttpRouteEntry> entries = new ArrayList<>();
        final List<GrpcMethodRank> ranks = new ArrayList<>();
        ConditionSpec notAccepted = null;
        ConditionSpec resolvedRefs = null;
        for (int r = 0; r < rules.size(); r++) {
            final GRPCRouteRule rule = rules.get(r);
            final String field = "spec.rules[" + r + "]";
            final List<GRPCRouteMatch> specMatches = rule.getMatches() == null || rule.getMatches().isEmpty()
                    ? List.of(new GRPCRouteMatch()) : rule.getMatches();
            final List<HttpRequestMatch> matches = new ArrayList<>();
            final List<GrpcMethodRank> matchRanks = new ArrayList<>();
            final List<WeightedBackend> weighted = new ArrayList<>();
            final List<HttpFilter> filters;
            if (rule.getSessionPersistence() != null) {
                diagnostics.warning(key, field, "sessionPersistence is not supported and is ignored");
            }
            try {
                for (GRPCRouteMatch m : specMatches) {
                    matches.add(new HttpRequestMatch(path(m.getMethod()), METHOD,
                            MatchCompiler.grpcHeaders(m.getHeaders()), List.of()));
                    matchRanks.add(rank(m.getMethod()));
                }
                filters = FilterCompiler.compileGrpc(rule.getFilters());
                final List<GRPCBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
                for (int b = 0; b < refs.size(); b++) {
                    final List<HttpFilter> backendFilters = FilterCompiler.compileGrpc(refs.get(b).getFilters());
                    final BackendResolver.Resolved resolved = backends.resolve(namespace, refs.get(b), backendFilters);
                    weighted.add(resolved.backend());
                    if (!resolved.backend().valid()) {
                        diagnostics.error(key, field + ".backendRefs[" + b + "]", resolved.message());
                        if (resolvedRefs == null) {
                            resolvedRefs = ConditionSpec.isFalse(Reasons.RESOLVED_REFS,
                                    resolved.backend().invalidReason(), resolved.message());
                        }
                    }
                }
            } catch (UnsupportedValueException e) {
                diagnostics.error(key, field, e.getMessage());
                if (notAccepted == null) {
                    notAccepted = ConditionSpec.isFalse(Reasons.ACCEPTED, e.reason(), field + ": " + e.getMessage());
                }
                continue;
            }
            for (int m = 0; m < matches.size(); m++) {
                entries.add(new HttpRouteEntry(new RouteOrigin(ResourceKind.GRPC_ROUTE.kind(), namespace,
                        route.getMetadata().getName(), r, rule.getName(), m), matches.get(m), filters, weighted));
                ranks.add(matchRanks.get(m));
            }
        }
        if (resolvedRefs == null) {
            resolvedRefs = ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS,
                    "all references are resolved");
        }
        return new CompiledRoute(RouteContext.of(route, notAccepted, resolvedRefs), CreationTimestamps.of(route),
                entries, ranks);
    }

    /**
     * GRPCMethodMatch as a path condition. Exact with both service and method is the path itself;
     * Exact with one of them (implementation-specific) and RegularExpression match the two path
     * segments, each anchored as a whole (an unset one matches any segment).
     *
     * @throws UnsupportedValueException for neither service nor method, an unknown type, or a
     *     regular expression that does not compile
     */
    static PathMatch path(GRPCMethodMatch method) {
        if (method == null) {
            return new PathMatch(PathMatch.Type.PATH_PREFIX, "/");
        }
        final String service = emptyToNull(method.getService());
        final String name = emptyToNull(method.getMethod());
        if (service == null && name == null) {
            throw new UnsupportedValueException("a method match needs a service or a method");
        }
        final String type = method.getType() == null ? "Exact" : method.getType();
        switch (type) {
            case "Exact":
                if (service != null && name != null) {
                    return new PathMatch(PathMatch.Type.EXACT, "/" + service + "/" + name);
                }
                return new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, "/" + (service == null ? ANY_SEGMENT
                        : literal(service)) + "/" + (name == null ? ANY_SEGMENT : literal(name)));
            case "RegularExpression":
                if (service != null) {
                    MatchCompiler.checkRegex("service", service);
                }
                if (name != null) {
                    MatchCompiler.checkRegex("method", name);
                }
                return new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, "/" + (service == null ? ANY_SEGMENT
                        : "(?:" + service + ")") + "/" + (name == null ? ANY_SEGMENT : "(?:" + name + ")"));
            default:
                throw new UnsupportedValueException("method match type " + type + " is not supported");
        }
    }

    /** The method rank of the entry {@code origin} names in {@code route} (rule and match index). */
    public static GrpcMethodRank rank(GRPCRoute route, RouteOrigin origin) {
        final var rules = route.getSpec() == null ? null : route.getSpec().getRules();
        if (rules == null || origin.ruleIndex() >= rules.size()) {
            return GrpcMethodRank.ANY;
        }
        final var matches = rules.get(origin.ruleIndex()).getMatches();
        return matches == null || origin.matchIndex() >= matches.size() ? GrpcMethodRank.ANY
                : rank(matches.get(origin.matchIndex()).getMethod());
    }

    static GrpcMethodRank rank(GRPCMethodMatch method) {
        if (method == null) {
            return GrpcMethodRank.ANY;
        }
        final String service = emptyToNull(method.getService());
        final String name = emptyToNull(method.getMethod());
        return new GrpcMethodRank(service == null ? 0 : service.length(), name == null ? 0 : name.length());
    }

    /** {@code value} as a regular expression matching exactly it (ASCII punctuation escaped). */
    private static String literal(String value) {
        final StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c < 128 && !Character.isLetterOrDigit(c) && c != '_') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
