package io.archway.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The snapshot records' invariants and the names they print in explain, logs and metrics. */
class SnapshotRecordsTest {
    private static WeightedBackend backend(int weight, String invalidReason) {
        return new WeightedBackend(new BackendOrigin("Service", "ns", "svc", 8080), weight, AppProtocol.HTTP1,
                List.of(), invalidReason, List.of());
    }

    /** HTTPBackendRef.weight: 0 is allowed (the backend receives no traffic), negative is not. */
    @Test
    void weightZeroIsAllowedAndNegativeIsRejected() {
        assertThat(backend(0, null).weight()).isZero();
        assertThatThrownBy(() -> backend(-1, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight must be >= 0: -1");
    }

    @Test
    void aBackendIsValidUnlessItHasAnInvalidReason() {
        assertThat(backend(1, null).valid()).isTrue();
        assertThat(backend(1, "BackendNotFound").valid()).isFalse();
    }

    @Test
    void originsPrintAsExplainNamesThem() {
        assertThat(new BackendOrigin("Service", "ns", "svc", 8080)).hasToString("Service ns/svc:8080");
        assertThat(new ListenerOrigin("ns", "gw", "http")).hasToString("ns/gw/http");
        assertThat(new RouteOrigin("HTTPRoute", "ns", "r", 2, null, 1)).hasToString("HTTPRoute ns/r rule 2 match 1");
        assertThat(new RouteOrigin("HTTPRoute", "ns", "r", 2, "canary", 1))
                .hasToString("HTTPRoute ns/r rule canary match 1");
    }

    @Test
    void endpointBracketsAnIpv6Address() {
        assertThat(new Endpoint("10.0.0.1", 80)).hasToString("10.0.0.1:80");
        assertThat(new Endpoint("fd00::1", 80)).hasToString("[fd00::1]:80");
        assertThat(new Endpoint("::1", 80)).as("a colon in first position").hasToString("[::1]:80");
    }

    @Test
    void aCertificateBundleNeverPrintsKeyMaterial() {
        final CertificateBundle b = new CertificateBundle("Secret ns/tls", "CERT", "SECRET-KEY");
        assertThat(b.toString()).isEqualTo("CertificateBundle[Secret ns/tls]").doesNotContain("SECRET-KEY");
    }

    @Test
    void theEmptySnapshotServesNoSockets() {
        assertThat(RoutingSnapshot.empty().version()).isZero();
        assertThat(RoutingSnapshot.empty().ports()).isEmpty();
    }

    /** Endpoint and SocketKey write out equals and hashCode (start-up): every component counts, and
     *  the hash is the one a record generates (31 * previous + component), so map orders stay. */
    @Test
    void writtenOutEqualityComparesEveryComponent() {
        assertThat(new Endpoint("10.0.0.1", 80)).isEqualTo(new Endpoint("10.0.0.1", 80))
                .isNotEqualTo(new Endpoint("10.0.0.2", 80)).isNotEqualTo(new Endpoint("10.0.0.1", 81))
                .hasSameHashCodeAs(new Endpoint("10.0.0.1", 80));
        assertThat(new Endpoint("10.0.0.1", 80).hashCode()).isEqualTo("10.0.0.1".hashCode() * 31 + 80);
        SocketKey tcp = new SocketKey("0.0.0.0", 53, Transport.TCP);
        assertThat(tcp).isEqualTo(new SocketKey("0.0.0.0", 53, Transport.TCP))
                .isNotEqualTo(new SocketKey("0.0.0.0", 53, Transport.UDP))
                .isNotEqualTo(new SocketKey("0.0.0.0", 54, Transport.TCP))
                .isNotEqualTo(new SocketKey("127.0.0.1", 53, Transport.TCP))
                .hasSameHashCodeAs(new SocketKey("0.0.0.0", 53, Transport.TCP));
        assertThat(tcp.hashCode()).isEqualTo(("0.0.0.0".hashCode() * 31 + 53) * 31 + Transport.TCP.hashCode());
    }
}
