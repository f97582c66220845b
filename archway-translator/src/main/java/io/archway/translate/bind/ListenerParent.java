package io.archway.translate.bind;

import io.archway.translate.ResourceKey;
import java.util.List;

/**
 * What a route's parentRef can name and attach to (GEP-1713 "direct parent"): a Gateway, whose
 * own {@code spec.listeners} are the relevant ones, or a ListenerSet, whose listeners are. A
 * Gateway parentRef never reaches its ListenerSets' listeners, even by sectionName.
 */
public sealed interface ListenerParent permits BoundGateway, BoundListenerSet {
    ResourceKey key();

    /** Whether routes may attach: Accepted=True. */
    boolean accepted();

    /** The listeners a parentRef to this parent is checked against. */
    List<BoundListener> listeners();
}
