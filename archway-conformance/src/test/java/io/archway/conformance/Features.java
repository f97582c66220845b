package io.archway.conformance;

import io.archway.translate.bind.GatewayClassAcceptor;

import java.util.Map;
import java.util.Set;

/** The Gateway API features Archway claims. Tests needing anything else are skipped (and listed). */
final class Features {
    /** What the product claims: the features its GatewayClass status publishes (one place). */
    static final Set<String> CLAIMED = Set.copyOf(GatewayClassAcceptor.SUPPORTED_FEATURES);

    /**
     * {@link #CLAIMED} plus any features named in {@code -Darchway.conformance.extraFeatures=A,B}
     * (to try extended features before claiming them here).
     */
    static Set<String> claimed() {
        java.util.Set<String> all = new java.util.TreeSet<>(CLAIMED);
        for (String f : System.getProperty("archway.conformance.extraFeatures", "").split(",")) {
            if (!f.isBlank()) {
                all.add(f.trim());
            }
        }
        return Set.copyOf(all);
    }

    /**
     * Tests whose upstream function (v1.6.1) returns before any check when the implementation
     * claims a feature: "not supported" tests that only hold for implementations without it
     * (tlsroute-listener-terminate-not-supported.go line 44, tlsroute-listener-mixed-termination-
     * not-supported.go line 45; the only such early returns in conformance/tests). The extraction
     * does not record the condition, so it is listed here; such a test is skipped, not passed,
     * since it executes no check.
     */
    private static final Map<String, String> RETURNS_EARLY_WHEN_CLAIMED = Map.of(
            "TLSRouteListenerTerminateNotSupported", "TLSRouteModeTerminate",
            "TLSRouteListenerMixedTerminationNotSupported", "TLSRouteModeMixed");

    /** Why {@code test} executes no check under {@code claimed}; null when it runs its checks. */
    static String returnsEarly(String test, Set<String> claimed) {
        String feature = RETURNS_EARLY_WHEN_CLAIMED.get(test);
        return feature != null && claimed.contains(feature)
                ? "upstream returns before any check when " + feature + " is supported" : null;
    }

    /**
     * Tests that read what only a cluster has: the objects provisioned for a Gateway, or the
     * addresses a load balancer assigns. Kubernetes mode runs them against the mock API server;
     * standalone skips them, saying why (their features stay claimed: the product on a cluster
     * supports them).
     */
    private static final Map<String, String> NEEDS_CLUSTER = Map.of(
            ClusterChecks.INFRASTRUCTURE_TEST, "needs Kubernetes mode (-Darchway.conformance.mode=kubernetes): it reads"
                    + " the ServiceAccounts, Pods and Services provisioned for the Gateway, which a directory has none of",
            ClusterChecks.STATIC_ADDRESSES_TEST, "needs Kubernetes mode (-Darchway.conformance.mode=kubernetes): a"
                    + " Gateway's spec.addresses are requested of its provisioned Service and a load balancer");

    /** Why {@code test} cannot run in standalone mode; null when it can. */
    static String needsCluster(String test) {
        return NEEDS_CLUSTER.get(test);
    }

    private Features() {
    }
}
