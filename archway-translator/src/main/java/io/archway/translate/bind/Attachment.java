package io.archway.translate.bind;

import java.util.List;

/**
 * A route attached to one listener, with its effective hostnames there.
 *
 * @param routeIndex index of the route in the attacher's input
 */
public record Attachment(BoundGateway gateway, BoundListener listener, int routeIndex, List<String> hostnames) {
    public Attachment {
        hostnames = List.copyOf(hostnames);
    }
}
