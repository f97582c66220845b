package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.ArrayList;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import java.util.List;

/**
 * A Gateway of ours after validation.
 *
 * @param accepted Accepted=True: routes may attach and accepted listeners are served
 * @param address the address it is served on and reports in status
 * @param listeners its own {@code spec.listeners}
 * @param conditions Accepted then Programmed
 * @param listenerSets the ListenerSets whose parentRef names it, in listener precedence order
 *     (oldest first, then by namespace/name), allowed or not
 * @param reportsListenerSets whether status carries {@code attachedListenerSets}: the Gateway
 *     allows ListenerSets or some name it
 */
public record BoundGateway(ResourceKey key, Gateway gateway, Long generation, boolean accepted, String address,
                           List<GatewayStatusAddress> statusAddresses,
                           List<BoundListener> listeners, List<ConditionSpec> conditions,
                           List<BoundListenerSet> listenerSets, boolean reportsListenerSets)
        implements ListenerParent {
    public BoundGateway {
        statusAddresses = List.copyOf(statusAddresses);
        listeners = List.copyOf(listeners);
        conditions = List.copyOf(conditions);
        listenerSets = List.copyOf(listenerSets);
    }

    /**
     * Every listener served for this Gateway, in precedence order (GEP-1713 Listener Precedence):
     * its own, then those of its ListenerSets.
     */
    public List<BoundListener> mergedListeners() {
        final List<BoundListener> all = new ArrayList<>(listeners);
        listenerSets.forEach(s -> all.addAll(s.listeners()));
        return all;
    }

    /** status.attachedListenerSets: the ListenerSets with Accepted=True. */
    public int attachedListenerSets() {
        return (int) listenerSets.stream().filter(BoundListenerSet::accepted).count();
    }
}
