package io.archway.server;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.TrafficObserver.TlsRejection;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The data-plane metrics of docs/DESIGN.md ("Metrics") on a Micrometer registry; the proxy reports
 * each finished request, upstream failure and downstream connection here. Every method is cheap
 * (meters are cached per label set), thread-safe and never throws.
 *
 * <ul>
 *   <li>{@code archway_requests_total{route_kind, route_namespace, route_name, rule, backend_namespace,
 *       backend_name, backend_port, status_class}}</li>
 *   <li>{@code archway_grpc_requests_total{...the same route and backend labels, grpc_status}}: gRPC
 *       calls by their status code name ({@code OK}, {@code UNAVAILABLE}, ...), beside the HTTP
 *       status class of the same requests</li>
 *   <li>{@code archway_request_duration_seconds} histogram ({@code _bucket{le}}, {@code _sum},
 *       {@code _count}) with the same labels less {@code status_class}; fixed buckets
 *       {@link #LATENCY_BUCKETS} from 0.5 ms to 30 s, fine enough for a p99 by interpolation</li>
 *   <li>{@code archway_upstream_connect_errors_total}, {@code archway_upstream_timeouts_total},
 *       {@code archway_upstream_retries_total} (retry policy) and
 *       {@code archway_mirror_dropped_total} (RequestMirror copies that could not keep up)
 *       {@code {backend_namespace, backend_name, backend_port}}</li>
 *   <li>{@code archway_active_connections{listener_port}}, {@code archway_active_streams{listener_port}}
 *       (HTTP/2 streams)</li>
 *   <li>L4 (TCPRoute, UDPRoute), with the route and backend labels of the requests (rule and
 *       {@code transport} {@code tcp} or {@code udp}): {@code archway_l4_connections_total} (TCP
 *       connections and UDP sessions, counted when they end), {@code archway_l4_bytes_total{direction}}
 *       ({@code from_client}, {@code to_client}), {@code archway_l4_connection_duration_seconds}
 *       (histogram, same buckets), {@code archway_udp_session_evictions_total},
 *       {@code archway_udp_datagrams_dropped_total{listener_port}} and
 *       {@code archway_tls_passthrough_rejected_total{listener_port, reason}} (connections of a TLS
 *       passthrough port closed before forwarding: not_tls, no_sni, unknown_sni, too_large,
 *       timeout, client_closed)</li>
 * </ul>
 *
 * <p>A request that matched no route: {@code routeKind} null or {@code "none"}; it is counted with
 * {@code route_kind="none"} and empty route and backend labels.
 *
 * <p>As the data plane's {@link TrafficObserver} ({@code new DataPlane(config, metrics)}) it is
 * called on the event loops with the snapshot's own {@link RouteOrigin} / {@link BackendOrigin}
 * records; their meters are cached per record pair, so a request costs two map lookups, a counter
 * increment and a timer record, with no allocation.
 */
public final class MicrometerTrafficMetrics implements TrafficObserver {
    /** Upper bounds of the latency histogram. */
    public static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofMillis(750),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30)};

    static final String REQUESTS = "archway.requests";
    static final String GRPC_REQUESTS = "archway.grpc.requests";
    /** gRPC status codes by number (grpc/doc/statuscodes.md), the values of the {@code grpc_status} label. */
    static final String[] GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
            "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    static final String DURATION = "archway.request.duration";
    static final String CONNECT_ERRORS = "archway.upstream.connect.errors";
    static final String TIMEOUTS = "archway.upstream.timeouts";
    static final String RETRIES = "archway.upstream.retries";
    static final String MIRRORS_DROPPED = "archway.mirror.dropped";
    static final String ACTIVE_CONNECTIONS = "archway.active.connections";
    static final String ACTIVE_STREAMS = "archway.active.streams";
    static final String L4_CONNECTIONS = "archway.l4.connections";
    static final String L4_BYTES = "archway.l4.bytes";
    static final String L4_DURATION = "archway.l4.connection.duration";
    static final String UDP_EVICTIONS = "archway.udp.session.evictions";
    static final String UDP_DROPPED = "archway.udp.datagrams.dropped";
    static final String TLS_REJECTED = "archway.tls.passthrough.rejected";
    /** Stands for "no backend picked" in the per-origin cache (which cannot hold null keys). */
    private static final BackendOrigin NO_BACKEND = new BackendOrigin("", "", "", 0);

    private record RouteBackend(String routeKind, String routeNamespace, String routeName, String rule,
                                String backendNamespace, String backendName, int backendPort) {
        Tags tags() {
            return Tags.of("route_kind", routeKind, "route_namespace", routeNamespace, "route_name", routeName,
                    "rule", rule, "backend_namespace", backendNamespace, "backend_name", backendName,
                    "backend_port", backendPort <= 0 ? "" : Integer.toString(backendPort));
        }
    }

    private record RequestKey(RouteBackend rb, String statusClass) {
    }

    private record BackendKey(String namespace, String name, int port) {
        Tags tags() {
            return Tags.of("backend_namespace", namespace, "backend_name", name,
                    "backend_port", port <= 0 ? "" : Integer.toString(port));
        }
    }

    private final MeterRegistry registry;
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    /** gRPC calls: the key's second part is the grpc-status code name. */
    private final Map<RequestKey, Counter> grpcRequests = new ConcurrentHashMap<>();
    private final Map<RouteBackend, Timer> durations = new ConcurrentHashMap<>();
    private final Map<BackendKey, Counter> connectErrors = new ConcurrentHashMap<>();
    private final Map<BackendKey, Counter> timeouts = new ConcurrentHashMap<>();
    private final Map<BackendKey, Counter> retries = new ConcurrentHashMap<>();
    private final Map<BackendKey, Counter> mirrorDrops = new ConcurrentHashMap<>();
    private final PortGauges connections = new PortGauges(ACTIVE_CONNECTIONS, "Open downstream connections");
    private final PortGauges streams = new PortGauges(ACTIVE_STREAMS, "Open downstream HTTP/2 streams");
    /** The meters of one (route entry, backend) pair of the snapshot records, for the observer path. */
    private final Map<RouteOrigin, Map<BackendOrigin, Meters>> byOrigin = new ConcurrentHashMap<>();
    private volatile Meters noRoute;
    /** The L4 meters of one (route, backend) pair, per transport. */
    private final Map<String, Map<RouteOrigin, Map<BackendOrigin, L4Meters>>> l4 = new ConcurrentHashMap<>();
    private final Map<RouteOrigin, Counter> evictions = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<Integer, Map<TlsRejection, Counter>> tlsRejected = new ConcurrentHashMap<>();

    public MicrometerTrafficMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The timer and the per-status-class counters of one label set. */
    private final class Meters {
        private final RouteBackend rb;
        private final Timer timer;
        private final AtomicReferenceArray<Counter> byClass = new AtomicReferenceArray<>(5);
        private final AtomicReferenceArray<Counter> byGrpcStatus = new AtomicReferenceArray<>(GRPC_CODES.length);

        Meters(RouteBackend rb) {
            this.rb = rb;
            this.timer = timer(rb);
        }

        void record(int status, long durationNanos) {
            final int cls = status >= 100 && status < 600 ? status / 100 - 1 : 4;
            Counter c = byClass.get(cls);
            if (c == null) {
                c = counter(rb, statusClass(status));
                byClass.set(cls, c); // a race registers nothing twice: the maps and the registry dedupe
            }
            c.increment();
            timer.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        }

        void recordGrpc(int grpcStatus) {
            final int code = grpcStatus >= 0 && grpcStatus < GRPC_CODES.length ? grpcStatus : 2; // UNKNOWN
            Counter c = byGrpcStatus.get(code);
            if (c == null) {
                c = grpcRequests.computeIfAbsent(new RequestKey(rb, GRPC_CODES[code]), k ->
                        Counter.builder(GRPC_REQUESTS).description("gRPC calls served, by route, backend and grpc-status")
                                .tags(rb.tags()).tag("grpc_status", GRPC_CODES[code]).register(registry));
                byGrpcStatus.set(code, c);
            }
            c.increment();
        }
    }

    // ---- TrafficObserver (the data plane's event loops) --------------------------------------------

    @Override
    public void requestCompleted(RouteOrigin route, BackendOrigin backend, int status, long durationNanos) {
        try {
            meters(route, backend).record(status, durationNanos);
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void grpcCallCompleted(RouteOrigin route, BackendOrigin backend, int grpcStatus) {
        try {
            meters(route, backend).recordGrpc(grpcStatus);
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    private Meters meters(RouteOrigin route, BackendOrigin backend) {
        if (route == null) {
            Meters m = noRoute;
            if (m == null) {
                m = new Meters(new RouteBackend("none", "", "", "", "", "", 0));
                noRoute = m;
            }
            return m;
        }
        Map<BackendOrigin, Meters> perBackend = byOrigin.get(route);
        if (perBackend == null) {
            perBackend = byOrigin.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        }
        final BackendOrigin b = backend != null ? backend : NO_BACKEND;
        Meters m = perBackend.get(b);
        if (m == null) {
            m = perBackend.computeIfAbsent(b, k -> new Meters(new RouteBackend(route.kind(), route.namespace(),
                    route.name(), route.ruleName() != null ? route.ruleName() : Integer.toString(route.ruleIndex()),
                    k.namespace(), k.name(), k.port())));
        }
        return m;
    }

    /** A TCP connection's or UDP session's counters and duration. */
    private final class L4Meters {
        private final Counter connections;
        private final Counter fromClient;
        private final Counter toClient;
        private final Timer duration;

        L4Meters(String transport, RouteOrigin route, BackendOrigin backend) {
            final Tags tags = (route == null ? new RouteBackend("none", "", "", "", "", "", 0)
                    : new RouteBackend(route.kind(), route.namespace(), route.name(),
                    route.ruleName() != null ? route.ruleName() : Integer.toString(route.ruleIndex()),
                    backend.namespace(), backend.name(), backend.port())).tags().and("transport", transport);
            connections = Counter.builder(L4_CONNECTIONS).description("L4 connections (TCP) and sessions (UDP), "
                    + "counted when they end").tags(tags).register(registry);
            fromClient = Counter.builder(L4_BYTES).description("L4 payload bytes forwarded").tags(tags)
                    .tag("direction", "from_client").register(registry);
            toClient = Counter.builder(L4_BYTES).description("L4 payload bytes forwarded").tags(tags)
                    .tag("direction", "to_client").register(registry);
            duration = Timer.builder(L4_DURATION).description("L4 connection or session duration").tags(tags)
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        }

        void record(long bytesFromClient, long bytesToClient, long durationNanos) {
            connections.increment();
            fromClient.increment(Math.max(0, bytesFromClient));
            toClient.increment(Math.max(0, bytesToClient));
            duration.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        }
    }

    private L4Meters l4(String transport, RouteOrigin route, BackendOrigin backend) {
        final RouteOrigin r = route != null ? route : new RouteOrigin("none", "", "", 0, null, 0);
        final BackendOrigin b = backend != null ? backend : NO_BACKEND;
        return l4.computeIfAbsent(transport, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(r, x -> new ConcurrentHashMap<>())
                .computeIfAbsent(b, x -> new L4Meters(transport, route, b));
    }

    @Override
    public void tcpConnectionClosed(RouteOrigin route, BackendOrigin backend, long bytesFromClient, long bytesToClient,
                                    long durationNanos) {
        try {
            l4("tcp", route, backend).record(bytesFromClient, bytesToClient, durationNanos);
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void udpSessionClosed(RouteOrigin route, BackendOrigin backend, long bytesFromClient, long bytesToClient,
                                 long durationNanos) {
        try {
            l4("udp", route, backend).record(bytesFromClient, bytesToClient, durationNanos);
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void udpSessionEvicted(RouteOrigin route) {
        try {
            evictions.computeIfAbsent(route != null ? route : new RouteOrigin("none", "", "", 0, null, 0),
                    r -> Counter.builder(UDP_EVICTIONS).description("UDP sessions evicted to make room for new clients")
                            .tags("route_kind", r.kind(), "route_namespace", r.namespace(), "route_name", r.name())
                            .register(registry)).increment();
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void udpDatagramDropped(int listenerPort) {
        try {
            dropped.computeIfAbsent(listenerPort, p -> Counter.builder(UDP_DROPPED)
                    .description("UDP datagrams dropped: no route or usable backend, draining, or not keeping up")
                    .tag("listener_port", Integer.toString(p)).register(registry)).increment();
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void tlsPassthroughRejected(int listenerPort, TlsRejection reason) {
        try {
            tlsRejected.computeIfAbsent(listenerPort, p -> new ConcurrentHashMap<>()).computeIfAbsent(reason,
                    r -> Counter.builder(TLS_REJECTED)
                            .description("TLS passthrough connections closed before forwarding, by reason")
                            .tags("listener_port", Integer.toString(listenerPort),
                                    "reason", r.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry)).increment();
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    @Override
    public void upstreamConnectError(BackendOrigin backend) {
        if (backend != null) {
            upstreamConnectError(backend.namespace(), backend.name(), backend.port());
        }
    }

    @Override
    public void upstreamTimeout(BackendOrigin backend) {
        if (backend != null) {
            upstreamTimeout(backend.namespace(), backend.name(), backend.port());
        }
    }

    /** A request to this backend is tried again under its rule's retry policy. */
    @Override
    public void upstreamRetry(BackendOrigin backend) {
        if (backend != null) {
            count(retries, RETRIES, "Requests tried again under their route's retry policy", backend.namespace(),
                    backend.name(), backend.port());
        }
    }

    /** A RequestMirror copy to this backend was dropped: it could not keep up. */
    @Override
    public void mirrorDropped(BackendOrigin mirror) {
        if (mirror != null) {
            count(mirrorDrops, MIRRORS_DROPPED, "RequestMirror copies dropped because the mirror could not keep up",
                    mirror.namespace(), mirror.name(), mirror.port());
        }
    }

    /** An HTTP/2 stream opened on a downstream connection of this listener port. */
    @Override
    public void streamOpened(int listenerPort) {
        streams.of(listenerPort).incrementAndGet();
    }

    /** An HTTP/2 stream of this listener port closed. */
    @Override
    public void streamClosed(int listenerPort) {
        streams.of(listenerPort).updateAndGet(v -> Math.max(0, v - 1));
    }

    private Counter counter(RouteBackend rb, String statusClass) {
        return requests.computeIfAbsent(new RequestKey(rb, statusClass), k -> Counter.builder(REQUESTS)
                .description("Requests served, by route, backend and status class")
                .tags(k.rb().tags()).tag("status_class", k.statusClass()).register(registry));
    }

    private Timer timer(RouteBackend rb) {
        return durations.computeIfAbsent(rb, k -> Timer.builder(DURATION)
                .description("Request duration, first request byte to last response byte")
                .tags(k.tags()).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }

    // ---- the same by label values -------------------------------------------------------------------

    /**
     * One finished request.
     *
     * @param routeKind {@code HTTPRoute}, {@code GRPCRoute}; null or {@code none} when no route matched
     * @param rule the rule's name when set, else its index as text
     * @param backendPort the backendRef's (Service) port; 0 when none
     * @param status the response status sent downstream
     * @param durationNanos from the request's first byte to the response's last
     */
    public void requestCompleted(String routeKind, String routeNamespace, String routeName, String rule,
                                 String backendNamespace, String backendName, int backendPort, int status,
                                 long durationNanos) {
        try {
            boolean none = routeKind == null || routeKind.isEmpty() || "none".equals(routeKind);
            RouteBackend rb = none ? new RouteBackend("none", "", "", "", "", "", 0)
                    : new RouteBackend(routeKind, s(routeNamespace), s(routeName), s(rule), s(backendNamespace),
                            s(backendName), backendPort);
            counter(rb, statusClass(status)).increment();
            timer(rb).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        } catch (RuntimeException ignored) {
            // metrics must never break the data plane
        }
    }

    /** The proxy could not connect to an endpoint of this backend. */
    public void upstreamConnectError(String backendNamespace, String backendName, int backendPort) {
        count(connectErrors, CONNECT_ERRORS, "Failed connection attempts to upstream endpoints",
                backendNamespace, backendName, backendPort);
    }

    /** An upstream request of this backend timed out. */
    public void upstreamTimeout(String backendNamespace, String backendName, int backendPort) {
        count(timeouts, TIMEOUTS, "Upstream requests that timed out", backendNamespace, backendName, backendPort);
    }

    /** A downstream connection was accepted on this listener port (the spec port). */
    @Override
    public void connectionOpened(int listenerPort) {
        connections.of(listenerPort).incrementAndGet();
    }

    /** A downstream connection of this listener port closed. */
    @Override
    public void connectionClosed(int listenerPort) {
        connections.of(listenerPort).updateAndGet(v -> Math.max(0, v - 1));
    }

    /**
     * One gauge per listener port. Streams open and close once per HTTP/2 request: the last port's
     * gauge is kept aside, since a map lookup boxes a port above 127 anew each time (two
     * {@code Integer}s per request).
     */
    private final class PortGauges {
        private final String name;
        private final String description;
        private final Map<Integer, AtomicLong> byPort = new ConcurrentHashMap<>();
        private volatile PortGauge last;

        PortGauges(String name, String description) {
            this.name = name;
            this.description = description;
        }

        AtomicLong of(int port) {
            final PortGauge seen = last;
            if (seen != null && seen.port() == port) {
                return seen.value();
            }
            final AtomicLong value = byPort.computeIfAbsent(port, p -> {
                final AtomicLong created = new AtomicLong();
                io.micrometer.core.instrument.Gauge.builder(name, created, AtomicLong::doubleValue)
                        .description(description).tag("listener_port", Integer.toString(p))
                        .register(registry);
                return created;
            });
            last = new PortGauge(port, value);
            return value;
        }
    }

    private record PortGauge(int port, AtomicLong value) {
    }

    private void count(Map<BackendKey, Counter> cache, String name, String description, String ns, String n, int port) {
        try {
            cache.computeIfAbsent(new BackendKey(s(ns), s(n), port), k -> Counter.builder(name).description(description)
                    .tags(k.tags()).register(registry)).increment();
        } catch (RuntimeException ignored) {
            // never break the data plane
        }
    }

    /** {@code 2xx}..{@code 5xx} (and {@code 1xx}); anything outside 100..599 counts as {@code 5xx}. */
    static String statusClass(int status) {
        return status >= 100 && status < 600 ? (status / 100) + "xx" : "5xx";
    }

    private static String s(String v) {
        return v == null ? "" : v;
    }
}
