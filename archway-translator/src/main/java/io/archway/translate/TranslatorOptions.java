package io.archway.translate;

import java.util.Objects;

/**
 * @param controllerName the GatewayClass controllerName that marks a class as ours, e.g.
 *     {@code archway.io/gateway-controller}
 * @param addressing how Gateways get their addresses
 * @param adoptUnknownGatewayClasses standalone convenience: a Gateway whose gatewayClassName names
 *     no GatewayClass in the input is served as ours, and its status message says so
 */
public record TranslatorOptions(String controllerName, GatewayAddressing addressing,
                                boolean adoptUnknownGatewayClasses) {
    public static final String DEFAULT_CONTROLLER_NAME = "archway.io/gateway-controller";

    public TranslatorOptions {
        Objects.requireNonNull(controllerName, "controllerName");
        Objects.requireNonNull(addressing, "addressing");
    }

    // equals and hashCode written out, as the record would generate them (the same hash): a record's
    // own are linked on their first call by java.lang.runtime.ObjectMethods, which spins method
    // handles on every start, not held by the JDK 25 AOT cache (docs/PERFORMANCE.md, start-up, session 8).
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof TranslatorOptions t && adoptUnknownGatewayClasses == t.adoptUnknownGatewayClasses
                && controllerName.equals(t.controllerName) && addressing.equals(t.addressing);
    }

    @Override
    public int hashCode() {
        return (controllerName.hashCode() * 31 + addressing.hashCode()) * 31
                + Boolean.hashCode(adoptUnknownGatewayClasses);
    }
}
