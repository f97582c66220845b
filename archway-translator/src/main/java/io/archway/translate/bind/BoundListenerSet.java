package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.List;

/**
 * A ListenerSet whose parentRef names a Gateway of ours, after validation (GEP-1713).
 *
 * @param gateway the parent Gateway
 * @param accepted Accepted=True: the Gateway allows it and at least one of its listeners is valid
 * @param listeners its listeners, validated as part of the Gateway's merged listener list; empty
 *     when the Gateway does not allow the set (then they are part of no Gateway)
 * @param conditions Accepted then Programmed
 */
public record BoundListenerSet(ResourceKey key, ListenerSet listenerSet, Long generation, ResourceKey gateway,
                               boolean accepted, List<BoundListener> listeners, List<ConditionSpec> conditions)
        implements ListenerParent {
    public BoundListenerSet {
        listeners = List.copyOf(listeners);
        conditions = List.copyOf(conditions);
    }
}
