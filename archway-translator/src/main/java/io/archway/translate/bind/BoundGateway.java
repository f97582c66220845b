package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.List;

/**
 * A Gateway of ours after validation.
 *
 * @param accepted Accepted=True: routes may attach and accepted listeners are served
 * @param address the address it is served on and reports in status
 * @param conditions Accepted then Programmed
 */
public record BoundGateway(ResourceKey key, Gateway gateway, Long generation, boolean accepted, String address,
                           List<BoundListener> listeners, List<ConditionSpec> conditions) {
    public BoundGateway {
        listeners = List.copyOf(listeners);
        conditions = List.copyOf(conditions);
    }
}
