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
}
