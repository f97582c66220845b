package io.archway.proxy.http;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.vhost;

import io.archway.snapshot.Hostnames;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.dispatch.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-request dispatch on one port ({@link RouteIndex#decide}, the function explain shares): the
 * request view as {@link HttpProxyHandler} builds it, then the listener, virtual host and route
 * entry lookup, at 10, 1,000 and 10,000 routes (one hostname and one path-prefix route each, plus
 * a catch-all), for a request to a hostname in the middle of the table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(3)
public class DispatchBenchmark {
    @Param({"10", "1000", "10000"})
    public int routes;

    private RouteIndex index;
    private HttpHeaders headers;
    private String host;

    @Setup(Level.Trial)
    public void setUp() {
        final VirtualHost[] vhosts = new VirtualHost[routes + 1];
        for (int i = 0; i < routes; i++) {
            vhosts[i] = vhost("h" + i + ".example.com", prefix("r" + i, "/api/" + i, backend("b" + i, 1, 8080)),
                    prefix("r" + i + "-root", "/", backend("b" + i, 1, 8080)));
        }
        vhosts[routes] = vhost("*", prefix("catch-all", "/", backend("default", 1, 8080)));
        index = new RouteIndex(http(80, listener(null, vhosts)), null);
        host = "H" + routes / 2 + ".example.com:80";
        headers = new DefaultHttpHeaders().add("host", host).add("user-agent", "bench");
    }

    @Benchmark
    public Object decide() {
        final RequestView view = new RequestView("GET", "/api/" + 0 + "/items?page=2", Hostnames.normalizeHost(host),
                headers);
        final RouteDecision<CompiledRoute> d = index.decide(view, null);
        if (!(d instanceof RouteDecision.Proxy<CompiledRoute>)) {
            throw new IllegalStateException("not routed: " + d);
        }
        return d;
    }
}
