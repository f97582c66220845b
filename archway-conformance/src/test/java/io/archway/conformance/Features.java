package io.archway.conformance;

import java.util.Set;

/** The Gateway API features Archway claims. Tests needing anything else are skipped (and listed). */
final class Features {
    /** Core features of GATEWAY-HTTP. Add extended features here as they land. */
    static final Set<String> CLAIMED = Set.of("Gateway", "HTTPRoute", "ReferenceGrant");

    private Features() {
    }
}
