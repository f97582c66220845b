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

    private Features() {
    }
}
