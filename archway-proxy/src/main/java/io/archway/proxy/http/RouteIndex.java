package io.archway.proxy.http;

import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.dispatch.BackendChooser;
import io.archway.snapshot.dispatch.CompiledPort;
import io.archway.snapshot.dispatch.RouteDecision;

/**
 * The immutable routing structure of one socket, compiled from a {@link PortBinding} off the event
 * loop: an adapter over the shared {@link CompiledPort} (the same dispatch {@code archway explain}
 * reports with). Dispatch: the listener whose hostname matches the request host most specifically,
 * then that listener's most specific matching virtual host (no fall-through to a less specific
 * one), then the first route entry whose conditions hold (entries are already in precedence order).
 */
public final class RouteIndex {
    private final PortBinding binding;
    private final CompiledPort<CompiledRoute> dispatch;
    private final SniCertificateMapping sniMapping;
    private final boolean https;

    /** @param binding an HTTP socket ({@link HttpPort}) */
    public RouteIndex(PortBinding binding, SniCertificateMapping sniMapping) {
        this(binding, sniMapping, null);
    }

    /**
     * @param previous the index this one replaces on the same socket, whose compiled virtual hosts
     *     are reused where unchanged ({@link CompiledPort}); null for none
     */
    public RouteIndex(PortBinding binding, SniCertificateMapping sniMapping, RouteIndex previous) {
        this.binding = binding;
        this.sniMapping = sniMapping;
        this.dispatch = new CompiledPort<>(binding, CompiledRoute::new, previous == null ? null : previous.dispatch);
        this.https = dispatch.https();
    }

    public PortBinding binding() {
        return binding;
    }

    /** The shared dispatcher of this socket (explain-style traces of a request). */
    public CompiledPort<CompiledRoute> dispatcher() {
        return dispatch;
    }

    public boolean isHttps() {
        return https;
    }

    public String scheme() {
        return isHttps() ? "https" : "http";
    }

    /** The Gateway listener port as written in the spec; redirects show this one. */
    public int specPort() {
        return binding.port();
    }

    /** Certificates by SNI for an HTTPS port; null for HTTP. */
    public SniCertificateMapping sniMapping() {
        return sniMapping;
    }

    /**
     * The decision for {@code request} ({@link CompiledPort#decide}): the same function explain
     * reports with; the backend is picked at random by weight.
     *
     * @param sniHost the server name of the TLS connection, or null
     */
    RouteDecision<CompiledRoute> decide(RequestView request, String sniHost) {
        return dispatch.decide(request, sniHost, BackendChooser.RANDOM);
    }
}
