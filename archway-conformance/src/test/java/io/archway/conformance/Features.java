package io.archway.conformance;

import io.archway.translate.bind.GatewayClassAcceptor;

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

    private Features() {
    }
}
