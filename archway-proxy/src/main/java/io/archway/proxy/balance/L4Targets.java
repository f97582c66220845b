package io.archway.proxy.balance;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.L4Route;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.WeightedBackend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCPRoute or UDPRoute rule compiled for forwarding: its backends, picked by weight, each with
 * its endpoints' socket addresses (built once per snapshot, so no DNS lookup on an event loop) and
 * a round-robin cursor. Immutable apart from the cursors; shared by every connection or session
 * that started under this snapshot.
 */
public final class L4Targets {
    private final L4Route route;
    private final WeightedChoice<Backend> choice;

    public L4Targets(L4Route route) {
        this.route = route;
        final List<Backend> backends = new ArrayList<>(route.backends().size());
        for (WeightedBackend backend : route.backends()) {
            backends.add(new Backend(backend));
        }
        this.choice = new WeightedChoice<>(backends, b -> b.backend.weight());
    }

    public RouteOrigin origin() {
        return route.origin();
    }

    public L4Route route() {
        return route;
    }

    /**
     * A backend chosen by weight (weight 0 never); null when the rule has no backend or only
     * zero weights. The backend may still be unusable: see {@link Backend#nextEndpoint()}.
     */
    public Backend pick() {
        return choice.pick();
    }

    /** One backendRef of the rule with its endpoints. */
    public static final class Backend {
        private final WeightedBackend backend;
        private final InetSocketAddress[] endpoints;
        private final AtomicInteger next = new AtomicInteger();

        Backend(WeightedBackend backend) {
            this.backend = backend;
            final List<Endpoint> eps = backend.endpoints();
            this.endpoints = new InetSocketAddress[eps.size()];
            for (int i = 0; i < endpoints.length; i++) {
                // Endpoint addresses are IP literals: parsed without a lookup.
                endpoints[i] = new InetSocketAddress(eps.get(i).address(), eps.get(i).port());
            }
        }

        public BackendOrigin origin() {
            return backend.origin();
        }

        /**
         * The next endpoint, round-robin; null when the backend is invalid (its reference did not
         * resolve) or has no ready endpoint, and the connection must be closed (datagram dropped).
         */
        public InetSocketAddress nextEndpoint() {
            if (!backend.valid() || endpoints.length == 0) {
                return null;
            }
            return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
        }
    }
}
