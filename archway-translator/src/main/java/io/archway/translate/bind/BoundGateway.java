package io.archway.translate.bind;

import io.archway.snapshot.CertificateBundle;
import io.archway.translate.ResourceKey;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A Gateway of ours after validation.
 *
 * @param accepted Accepted=True: routes may attach and accepted listeners are served
 * @param address the address this process serves it on
 * @param statusAddresses its {@code status.addresses}: {@code address}, or with provisioned data
 *     planes its Service's ({@link ServiceAddresses}); empty when not accepted
 * @param listeners its own {@code spec.listeners}
 * @param conditions Accepted then Programmed, then ResolvedRefs when it has a backend client
 *     certificate reference ({@link BackendClientCertificate})
 * @param listenerSets the ListenerSets whose parentRef names it, in listener precedence order
 *     (oldest first, then by namespace/name), allowed or not
 * @param reportsListenerSets whether status carries {@code attachedListenerSets}: the Gateway
 *     allows ListenerSets or some name it
 * @param backendClientCertificate the certificate presented to TLS backends
 *     (GatewayBackendClientCertificate), or null
 */
public record BoundGateway(ResourceKey key, Gateway gateway, Long generation, boolean accepted, String address,
                           List<GatewayStatusAddress> statusAddresses,
                           List<BoundListener> listeners, List<ConditionSpec> conditions,
                           List<BoundListenerSet> listenerSets, boolean reportsListenerSets,
                           CertificateBundle backendClientCertificate)
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
