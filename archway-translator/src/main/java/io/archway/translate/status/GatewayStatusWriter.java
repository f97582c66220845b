package io.archway.translate.status;

import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.BoundListener;
import io.archway.translate.bind.BoundListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKindBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Builds a Gateway's status, and a ListenerSet's, fresh, from their validation result and the
 * routes attached to them. A ListenerSet's {@code status.listeners} has its own listeners only,
 * never its Gateway's (GEP-1713).
 */
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
                    .withSupportedKinds(supportedKinds(listener))
                    .withAttachedRoutes(attachedRoutes.applyAsInt(listener.name()))
                    .withConditions(listener.conditions().stream().map(c -> c.toCondition(generation)).toList())
                    .build());
        }
        final GatewayStatusBuilder builder = new GatewayStatusBuilder()
                .withConditions(gateway.conditions().stream().map(c -> c.toCondition(generation)).toList())
                .withListeners(listeners);
        if (gateway.accepted()) {
            builder.withAddresses(gateway.statusAddresses());
        }
        if (gateway.reportsListenerSets()) {
            builder.withAttachedListenerSets(gateway.attachedListenerSets());
        }
        return builder.build();
    }

    /** @param attachedRoutes listener name to the number of routes attached to it through this set */
    public static ListenerSetStatus write(BoundListenerSet set, ToIntFunction<String> attachedRoutes) {
        final Long generation = set.generation();
        final List<ListenerEntryStatus> listeners = new ArrayList<>();
        for (BoundListener listener : set.listeners()) {
            listeners.add(new ListenerEntryStatusBuilder()
                    .withName(listener.name())
                    .withSupportedKinds(supportedKinds(listener))
                    .withAttachedRoutes(attachedRoutes.applyAsInt(listener.name()))
                    .withConditions(listener.conditions().stream().map(c -> c.toCondition(generation)).toList())
                    .build());
        }
        return new ListenerSetStatusBuilder()
                .withConditions(set.conditions().stream().map(c -> c.toCondition(generation)).toList())
                .withListeners(listeners)
                .build();
    }

    private static List<RouteGroupKind> supportedKinds(BoundListener listener) {
        return listener.supportedKinds().stream()
                .map(k -> new RouteGroupKindBuilder().withGroup(k.getGroup()).withKind(k.getKind()).build())
                .toList();
    }
}
