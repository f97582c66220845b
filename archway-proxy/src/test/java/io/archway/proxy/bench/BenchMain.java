package io.archway.proxy.bench;

import io.archway.proxy.DataPlane;
import io.archway.proxy.ProxyConfig;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.WeightedBackend;
import java.util.List;

/**
 * Starts the data plane alone for ../shared/bench/proxy-bench.sh: {@code BenchMain <listenPort>
 * <backendPort>} routes every request on 127.0.0.1:listenPort to 127.0.0.1:backendPort.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        final int listen = Integer.parseInt(args[0]);
        final int backend = Integer.parseInt(args[1]);
        final WeightedBackend target = new WeightedBackend(new BackendOrigin("Service", "bench", "backend", backend), 1,
                AppProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", backend)), null, List.of());
        final HttpRouteEntry route = new HttpRouteEntry(new RouteOrigin("HTTPRoute", "bench", "all", 0, null, 0),
                new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null, List.of(), List.of()),
                List.of(), List.of(target));
        final ListenerEntry listener = new ListenerEntry(new ListenerOrigin("bench", "gw", "http"), null, List.of(),
                List.of(new VirtualHost("*", List.of(route))));
        final DataPlane plane = new DataPlane(ProxyConfig.defaults());
        plane.apply(new RoutingSnapshot(1, List.of(new PortBinding("127.0.0.1", listen, new HttpPort(ListenerProtocol.HTTP,
                List.of(listener))))));
        Runtime.getRuntime().addShutdownHook(new Thread(plane::close));
        Thread.currentThread().join();
    }
}
