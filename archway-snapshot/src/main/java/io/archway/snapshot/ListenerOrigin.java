package io.archway.snapshot;

import java.util.Objects;

/** Names the Gateway listener an entry came from. */
public record ListenerOrigin(String gatewayNamespace, String gatewayName, String listenerName) {
    public ListenerOrigin {
        Objects.requireNonNull(gatewayNamespace, "gatewayNamespace");
        Objects.requireNonNull(gatewayName, "gatewayName");
        Objects.requireNonNull(listenerName, "listenerName");
    }

    @Override
    public String toString() {
        return gatewayNamespace + "/" + gatewayName + "/" + listenerName;
    }
}
