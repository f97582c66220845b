package io.archway.proxy.http;

/**
 * What a connection on one socket needs from the data plane: the routing of that socket as of
 * now, and whether the socket is being drained.
 */
public interface PortRoutes {
    /**
     * The current routing of this socket. A request calls this once, when its headers arrive, and
     * keeps the result until it finishes, so a swap never changes an in-flight request's route.
     */
    RouteIndex current();

    /** True once the port was removed from the snapshot: responses then carry Connection: close. */
    boolean draining();
}
