package io.archway.translate.compile;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.RetryPolicy;
import io.archway.snapshot.RouteTimeouts;
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
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 3: compiles an HTTPRoute's rules into route entries, one per (rule, match), resolving
 * backendRefs and RequestMirror backendRefs, with the rule's timeouts and retry policy. Invalid
 * backendRefs stay in the entry (their share answers 500) and set the route's ResolvedRefs=False;
 * invalid mirrors are dropped and set it too; unsupported values make the route not Accepted.
 */
public final class HttpRouteRuleCompiler {
    private final BackendResolver backends;
    private final Diagnostics diagnostics;

    public HttpRouteRuleCompiler(BackendResolver backends, Diagnostics diagnostics) {
        this.backends = backends;
        this.diagnostics = diagnostics;
    }

    public CompiledRoute compile(HTTPRoute route) {
        final ResourceKey key = Kinds.keyOf(ResourceKind.HTTP_ROUTE, route);
        final String namespace = key.namespace();
        // HTTPRouteSpec.rules defaults to one rule matching PathPrefix "/" (with no backends: 500).
        final List<HTTPRouteRule> rules = route.getSpec() == null || route.getSpec().getRules() == null
                || route.getSpec().getRules().isEmpty() ? List.of(new HTTPRouteRule()) : route.getSpec().getRules();
        final List<HttpRouteEntry> entries = new ArrayList<>();
        ConditionSpec notAccepted = null;
        final RefProblems problems = new RefProblems(key);
        for (int r = 0; r < rules.size(); r++) {
            final HTTPRouteRule rule = rules.get(r);
            final String field = "spec.rules[" + r + "]";
            final List<HttpRequestMatch> matches;
            final List<HttpFilter> filters;
            final RouteTimeouts timeouts;
            final RetryPolicy retry;
            final List<WeightedBackend> weighted = new ArrayList<>();
            if (rule.getSessionPersistence() != null) {
                // An extended feature we do not serve; nothing in the spec asks to reject the route.
                diagnostics.warning(key, field, "sessionPersistence is not supported and is ignored");
            }
            try {
                matches = matches(rule);
                timeouts = RulePolicyCompiler.timeouts(rule.getTimeouts());
                retry = RulePolicyCompiler.retry(rule.getRetry());
                filters = FilterCompiler.compile(rule.getFilters(), mirrors(namespace, field + ".filters", problems));
                checkPrefixRewrite(filters, matches);
                final List<HTTPBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
                for (int b = 0; b < refs.size(); b++) {
                    final String refField = field + ".backendRefs[" + b + "]";
                    final List<HttpFilter> backendFilters = FilterCompiler.compile(refs.get(b).getFilters(),
                            mirrors(namespace, refField + ".filters", problems));
                    checkPrefixRewrite(backendFilters, matches);
                    checkNoCors(backendFilters);
                    final BackendResolver.Resolved resolved = backends.resolve(namespace, refs.get(b), backendFilters);
                    weighted.add(resolved.backend());
                    if (!resolved.backend().valid()) {
                        problems.report(refField, resolved);
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
                entries.add(new HttpRouteEntry(new RouteOrigin(ResourceKind.HTTP_ROUTE.kind(), namespace,
                        route.getMetadata().getName(), r, rule.getName(), m), matches.get(m), filters, weighted,
                        timeouts, retry));
            }
        }
        ConditionSpec resolvedRefs = problems.first;
        if (resolvedRefs == null) {
            resolvedRefs = ConditionSpec.isTrue(Reasons.RESOLVED_REFS, Reasons.RESOLVED_REFS,
                    "all references are resolved");
        }
        return new CompiledRoute(RouteContext.of(route, notAccepted, resolvedRefs), CreationTimestamps.of(route), entries,
                List.of());
    }

    /**
     * RequestMirror backendRefs resolve as backendRefs do; an invalid one is dropped from the
     * snapshot and sets ResolvedRefs=False (HTTPRequestMirrorFilter.backendRef).
     */
    private FilterCompiler.MirrorResolver mirrors(String namespace, String field, RefProblems problems) {
        return (ref, numerator, denominator) -> {
            final BackendResolver.Resolved resolved = backends.resolveMirror(namespace, ref);
            if (!resolved.backend().valid()) {
                problems.report(field + " RequestMirror", resolved);
                return null;
            }
            return new HttpFilter.RequestMirror(resolved.backend(), numerator, denominator);
        };
    }

    /** Invalid references of one route: each is a diagnostic; the first sets ResolvedRefs=False. */
    private final class RefProblems {
        private final ResourceKey key;
        private ConditionSpec first;

        RefProblems(ResourceKey key) {
            this.key = key;
        }

        void report(String field, BackendResolver.Resolved resolved) {
            diagnostics.error(key, field, resolved.message());
            if (first == null) {
                first = ConditionSpec.isFalse(Reasons.RESOLVED_REFS, resolved.backend().invalidReason(),
                        resolved.message());
            }
        }
    }

    private static List<HttpRequestMatch> matches(HTTPRouteRule rule) {
        if (rule.getMatches() == null || rule.getMatches().isEmpty()) {
            return List.of(MatchCompiler.MATCH_ALL);
        }
        final List<HttpRequestMatch> out = new ArrayList<>();
        rule.getMatches().forEach(m -> out.add(MatchCompiler.compile(m)));
        return out;
    }

    /**
     * CORS on a backendRef (Extended support) is not served: the gateway answers a preflight for the
     * rule before any backend is picked, so a backend's CORS could only apply to a weighted share
     * of the preflights. The rule's filters are the place for it.
     */
    private static void checkNoCors(List<HttpFilter> backendFilters) {
        for (HttpFilter f : backendFilters) {
            if (f instanceof HttpFilter.Cors) {
                throw new UnsupportedValueException("CORS on a backendRef is not supported: set it in the rule's filters");
            }
        }
    }

    /** HTTPPathModifier: ReplacePrefixMatch is only compatible with PathPrefix matches. */
    private static void checkPrefixRewrite(List<HttpFilter> filters, List<HttpRequestMatch> matches) {
        for (HttpFilter f : filters) {
            final PathModifier path = f instanceof HttpFilter.UrlRewrite u ? u.path()
                    : f instanceof HttpFilter.RequestRedirect r ? r.path() : null;
            if (path != null && path.type() == PathModifier.Type.REPLACE_PREFIX_MATCH
                    && matches.stream().anyMatch(m -> m.path().type() != PathMatch.Type.PATH_PREFIX)) {
                throw new UnsupportedValueException("ReplacePrefixMatch requires PathPrefix matches");
            }
        }
    }
}
