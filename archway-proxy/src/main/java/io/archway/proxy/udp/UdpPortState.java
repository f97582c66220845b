package io.archway.proxy.udp;

import io.archway.proxy.balance.L4Targets;

/** What a UDP listening socket serves now, as the listener layer knows it. */
public interface UdpPortState {
    /** The route new sessions use; null when the port has none (datagrams of new clients dropped). */
    L4Targets targets();

    /** Whether the port was removed and drains: existing sessions go on, new clients are dropped. */
    boolean draining();
}
