package io.archway.translate.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.golden.SpecCase;
import org.junit.jupiter.api.Test;

/**
 * {@code archway explain request --port N [--sni NAME]} for L4 sockets: a TCP or UDP listener's
 * served route (the oldest attached, TCPRouteMultipleRoutesAttachment) and the attached routes that
 * lose to it; a TLS passthrough socket's listener and route by server name, exact over wildcard.
 */
class ConnectionExplainerTest {
    private static final SpecCase CASE = SpecCase.of("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: default}
            spec:
              gatewayClassName: archway
              listeners:
              - {name: tcp, port: 3306, protocol: TCP}
              - {name: udp, port: 5353, protocol: UDP}
              - {name: tls, port: 443, protocol: TLS, hostname: '*.example.com', tls: {mode: Passthrough}}
              - {name: tls-exact, port: 443, protocol: TLS, hostname: a.example.com, tls: {mode: Passthrough}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: default}
            spec: {ports: [{port: 3306}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: db-x, namespace: default, labels: {kubernetes.io/service-name: db}}
            addressType: IPv4
            ports: [{port: 3306}]
            endpoints: [{addresses: [10.0.0.1]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: older, namespace: default, creationTimestamp: '2026-01-01T00:00:00Z'}
            spec:
              parentRefs: [{name: gw, sectionName: tcp}]
              rules:
              - backendRefs: [{name: db, port: 3306, weight: 3}, {name: missing, port: 3306, weight: 1}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: newer, namespace: default, creationTimestamp: '2026-02-01T00:00:00Z'}
            spec:
              parentRefs: [{name: gw, port: 3306}]
              rules:
              - backendRefs: [{name: db, port: 3306}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: UDPRoute
            metadata: {name: dns, namespace: default}
            spec:
              parentRefs: [{name: gw, sectionName: udp}]
              rules:
              - backendRefs: [{name: db, port: 3306}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: wild, namespace: default}
            spec:
              parentRefs: [{name: gw, sectionName: tls}]
              hostnames: ['*.example.com']
              rules:
              - backendRefs: [{name: db, port: 3306}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: b, namespace: default}
            spec:
              parentRefs: [{name: gw, sectionName: tls}]
              hostnames: [b.example.com]
              rules:
              - backendRefs: [{name: db, port: 3306}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: a, namespace: default}
            spec:
              parentRefs: [{name: gw, sectionName: tls-exact}]
              hostnames: [a.example.com]
              rules:
              - backendRefs: [{name: missing, port: 3306}]
            """);

    private static RequestExplanation explain(Integer port, String sni) {
        return new RequestExplainer(CASE.options()).explain(CASE.view(), CASE.translation(),
                RequestExplainer.Query.connection("default/gw", port, sni));
    }

    private static RequestExplanation.ConnectionAnswer one(Integer port, String sni) {
        final RequestExplanation e = explain(port, sni);
        assertThat(e.answers()).isEmpty();
        assertThat(e.connections()).hasSize(1);
        return e.connections().get(0);
    }

    @Test
    void aTcpSocketNamesItsListenerTheOldestRouteTheLosersAndTheBackends() {
        final RequestExplanation e = explain(3306, null);
        assertThat(e.request()).isEqualTo("connection to port 3306");
        final RequestExplanation.ConnectionAnswer a = e.connections().get(0);
        assertThat(a.protocol()).isEqualTo("tcp");
        assertThat(a.gateways()).containsExactly("default/gw");
        assertThat(a.listener()).isEqualTo("default/gw/tcp");
        assertThat(a.route()).isEqualTo("TCPRoute default/older");
        assertThat(a.rule()).isEqualTo("0");
        assertThat(a.otherRoutes()).singleElement().satisfies(o -> {
            assertThat(o.route()).isEqualTo("TCPRoute default/newer");
            assertThat(o.reason()).contains("older", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
        });
        assertThat(a.forwarded()).isTrue();
        assertThat(a.backends()).extracting(RequestExplanation.Backend::share).containsExactly("75.0%", "25.0%");
        assertThat(a.backends().get(0).readyEndpoints()).isEqualTo(1);
        assertThat(a.backends().get(0).endpoints()).containsExactly("10.0.0.1:3306");
        assertThat(a.backends().get(1).valid()).isFalse();
        assertThat(a.outcome()).startsWith("forwarded to Service default/db:3306 (75.0%)")
                .contains("25.0% closed (invalid backend)");
    }

    @Test
    void aUdpSocketNamesItsRoute() {
        final RequestExplanation.ConnectionAnswer a = one(5353, null);
        assertThat(a.protocol()).isEqualTo("udp");
        assertThat(a.listener()).isEqualTo("default/gw/udp");
        assertThat(a.route()).isEqualTo("UDPRoute default/dns");
        assertThat(a.otherRoutes()).isEmpty();
        assertThat(a.forwarded()).isTrue();
    }

    @Test
    void theServerNamePicksTheMostSpecificListenerThenRoute() {
        final RequestExplanation.ConnectionAnswer b = one(443, "B.Example.com.");
        assertThat(b.protocol()).isEqualTo("tls");
        assertThat(b.serverName()).isEqualTo("b.example.com");
        assertThat(b.listener()).isEqualTo("default/gw/tls");
        assertThat(b.route()).isEqualTo("TLSRoute default/b");
        assertThat(b.routes()).filteredOn(RequestExplanation.Candidate::selected)
                .extracting(RequestExplanation.Candidate::hostname).containsExactly("b.example.com");
        assertThat(b.routes()).filteredOn(c -> !c.selected()).singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("less specific"));
        assertThat(b.forwarded()).isTrue();

        final RequestExplanation.ConnectionAnswer c = one(443, "c.example.com");
        assertThat(c.route()).isEqualTo("TLSRoute default/wild");

        // Exact listener hostname beats the wildcard; its only route's backend is missing.
        final RequestExplanation.ConnectionAnswer a = one(443, "a.example.com");
        assertThat(a.listener()).isEqualTo("default/gw/tls-exact");
        assertThat(a.listeners()).filteredOn(RequestExplanation.Candidate::matches).hasSize(2);
        assertThat(a.route()).isEqualTo("TLSRoute default/a");
        assertThat(a.forwarded()).isFalse();
        assertThat(a.outcome()).startsWith("closed: 100.0% of the connections go to invalid backends");
    }

    @Test
    void saysWhyNothingMatches() {
        final RequestExplanation.ConnectionAnswer none = one(443, null);
        assertThat(none.forwarded()).isFalse();
        assertThat(none.listener()).isNull();
        assertThat(none.outcome()).contains("no SNI given");

        final RequestExplanation.ConnectionAnswer other = one(443, "x.other.org");
        assertThat(other.listener()).isNull();
        assertThat(other.outcome()).isEqualTo("closed: no listener hostname matches x.other.org");

        assertThat(one(443, "1.2.3.4:5").outcome()).contains("is not a DNS hostname");

        final RequestExplanation missing = explain(9999, null);
        assertThat(missing.connections()).isEmpty();
        assertThat(missing.notFound()).contains("on port 9999");
    }

    @Test
    void withoutAPortEveryL4SocketIsAnswered() {
        assertThat(explain(null, "b.example.com").connections()).extracting(RequestExplanation.ConnectionAnswer::port)
                .containsExactlyInAnyOrder(3306, 5353, 443);
    }
}
