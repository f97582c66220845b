package io.archway.proxy.http;

import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.WeightedBackend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A weighted backend ready to serve: its filters compiled, a round-robin endpoint cursor, and the
 * TLS context for a backend a BackendTLSPolicy targets (one per backend, shared by its endpoints).
 */
final class CompiledBackend {
    private final WeightedBackend backend;
    private final FilterChain filters;
    private final List<CompiledMirror> mirrors;
    private final UpstreamAddress[] endpoints;
    private final AtomicInteger next = new AtomicInteger();

    CompiledBackend(WeightedBackend backend) {
        this.backend = backend;
        this.filters = FilterChain.of(backend.filters());
        this.mirrors = CompiledMirror.of(backend.filters());
        final List<Endpoint> eps = backend.endpoints();
        final UpstreamTls tls = backend.tls() == null || backend.tls().refusal() != null ? null
                : new UpstreamTls(backend.tls(), backend.protocol() == AppProtocol.H2C);
        this.endpoints = new UpstreamAddress[eps.size()];
        for (int i = 0; i < endpoints.length; i++) {
            endpoints[i] = new UpstreamAddress(eps.get(i).address(), eps.get(i).port(), tls);
        }
    }

    WeightedBackend backend() {
        return backend;
    }

    FilterChain filters() {
        return filters;
    }

    /** The backendRef's RequestMirror filters. */
    List<CompiledMirror> mirrors() {
        return mirrors;
    }

    AppProtocol protocol() {
        return backend.protocol();
    }

    String invalidReason() {
        return backend.invalidReason();
    }

    boolean hasEndpoints() {
        return endpoints.length > 0;
    }

    /** The next endpoint, round-robin; one lock-free increment per request. */
    UpstreamAddress nextEndpoint() {
        final int i = next.getAndIncrement();
        return endpoints[Math.floorMod(i, endpoints.length)];
    }
}
