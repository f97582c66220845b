package io.archway.translate.status;

import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddressBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** Builds a Gateway's status, fresh, from its validation result and the routes attached to it. */
public final class GatewayStatusWriter {
    private GatewayStatusWriter() {
    }

    /** @param attachedRoutes listener name to the number of routes attached to it */
    public static GatewayStatus write(BoundGateway gateway, ToIntFunction<String> attachedRoutes) {
        final Long generation = gateway.generation();
        final List<ListenerStatus> listeners = new ArrayList<>();
        for (BoundListener listener : gateway.listeners()) {
            listeners.add(new ListenerStatusBuilder()
                    .withName(listener.name())
                    .withSupportedKinds(listener.supportedKinds().stream()
                            .map(k -> new RouteGroupKindBuilder().withGroup(k.getGroup()).withKind(k.getKind()).build())
                            .toList())
                    .withAttachedRoutes(attachedRoutes.applyAsInt(listener.name()))
                    .withConditions(listener.conditions().stream().map(c -> c.toCondition(generation)).toList())
                    .build());
        }
        final GatewayStatusBuilder builder = new GatewayStatusBuilder()
                .withConditions(gateway.conditions().stream().map(c -> c.toCondition(generation)).toList())
                .withListeners(listeners);
        if (gateway.accepted()) {
            builder.withAddresses(new GatewayStatusAddressBuilder().withType("IPAddress")
                    .withValue(gateway.address()).build());
        }
        return builder.build();
    }
}
