package io.archway.translate.bind;

import io.archway.snapshot.CertificateBundle;
import io.archway.translate.ResourceKey;
import java.util.List;

/**
 * A route attached to one listener, with its effective hostnames there.
 *
 * @param gateway the key of the Gateway the listener is served for (a ListenerSet's parent Gateway)
 * @param backendClientCertificate that Gateway's, presented to TLS backends, or null
 * @param routeIndex index of the route in the attacher's input
 */
public record Attachment(ResourceKey gateway, CertificateBundle backendClientCertificate, BoundListener listener,
                         int routeIndex, List<String> hostnames) {
    public Attachment {
        hostnames = List.copyOf(hostnames);
    }
}
