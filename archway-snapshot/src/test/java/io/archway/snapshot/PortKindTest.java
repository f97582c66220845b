package io.archway.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol-neutral port model: what each socket kind listens on and how it is named. */
class PortKindTest {
    private static final ListenerOrigin LISTENER = new ListenerOrigin("ns", "gw", "l");
    private static final RouteOrigin ROUTE = new RouteOrigin("TCPRoute", "ns", "db", 0, null, 0);

    @Test
    void aSocketIsAddressPortAndTransportSoTcpAndUdpShareAPortNumber() {
        final SocketKey tcp = new SocketKey("127.0.0.1", 53, Transport.TCP);
        final SocketKey udp = new SocketKey("127.0.0.1", 53, Transport.UDP);
        assertThat(tcp).isNotEqualTo(udp);
        assertThat(tcp).hasToString("127.0.0.1:53");
        assertThat(udp).hasToString("127.0.0.1:53/udp");
        assertThat(new SocketKey("::1", 443, Transport.TCP)).hasToString("[::1]:443");
        assertThatThrownBy(() -> new SocketKey(null, 1, Transport.TCP)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SocketKey("a", 1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void eachKindNamesItsTransportAndProtocol() {
        final HttpPort http = new HttpPort(ListenerProtocol.HTTP, List.of());
        final HttpPort https = new HttpPort(ListenerProtocol.HTTPS, List.of());
        final TcpPort tcp = new TcpPort(LISTENER, null);
        final UdpPort udp = new UdpPort(LISTENER, null);
        assertThat(List.of(http.transport(), https.transport(), tcp.transport(), udp.transport()))
                .containsExactly(Transport.TCP, Transport.TCP, Transport.TCP, Transport.UDP);
        assertThat(List.of(http.protocolName(), https.protocolName(), tcp.protocolName(), udp.protocolName()))
                .containsExactly("http", "https", "tcp", "udp");
        assertThat(new PortBinding("10.0.0.1", 53, udp).key()).isEqualTo(new SocketKey("10.0.0.1", 53, Transport.UDP));
        assertThat(new PortBinding("10.0.0.1", 53, tcp).key()).isEqualTo(new SocketKey("10.0.0.1", 53, Transport.TCP));
        assertThat(ListenerProtocol.UDP.transport()).isEqualTo(Transport.UDP);
        assertThat(ListenerProtocol.TCP.transport()).isEqualTo(Transport.TCP);
    }

    @Test
    void anHttpSocketSpeaksHttpOrHttpsOnly() {
        assertThatThrownBy(() -> new HttpPort(ListenerProtocol.TCP, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTP or HTTPS, not TCP");
        assertThatThrownBy(() -> new HttpPort(ListenerProtocol.UDP, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpPort(null, List.of())).isInstanceOf(RuntimeException.class);
    }

    @Test
    void anL4ListenerMayHaveNoRouteButAlwaysAListener() {
        assertThat(new TcpPort(LISTENER, null).route()).isNull();
        assertThatThrownBy(() -> new TcpPort(null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new UdpPort(null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PortBinding("a", 1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PortBinding(null, 1, new TcpPort(LISTENER, null)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void anL4RouteKeepsAnImmutableCopyOfItsBackends() {
        final List<WeightedBackend> backends = new ArrayList<>(List.of(new WeightedBackend(
                new BackendOrigin("Service", "ns", "db", 3306), 1, AppProtocol.HTTP1, List.of(), null, List.of())));
        final L4Route route = new L4Route(ROUTE, backends);
        backends.clear();
        assertThat(route.backends()).hasSize(1);
        assertThatThrownBy(() -> route.backends().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new L4Route(null, List.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new L4Route(ROUTE, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aTlsPortMixesPassthroughAndTerminateListenersAndOnlyTerminateOnesPresentCertificates() {
        final CertificateBundle cert = new CertificateBundle("Secret ns/c", "crt", "key");
        final TlsPort.SniRoute route = new TlsPort.SniRoute("a.example.com",
                new L4Route(new RouteOrigin("TLSRoute", "ns", "r", 0, null, 0), List.of()));
        final TlsPort port = new TlsPort(List.of(
                TlsPort.TlsListener.terminate(LISTENER, "a.example.com", List.of(cert), List.of(route)),
                TlsPort.TlsListener.passthrough(new ListenerOrigin("ns", "gw", "p"), "b.example.com", List.of())));
        assertThat(port.protocolName()).isEqualTo("tls");
        assertThat(port.transport()).isEqualTo(Transport.TCP);
        assertThat(port.listeners()).extracting(TlsPort.TlsListener::mode)
                .containsExactly(TlsPort.Mode.TERMINATE, TlsPort.Mode.PASSTHROUGH);
        assertThat(port.listeners().get(0).certificates()).containsExactly(cert);
        assertThatThrownBy(() -> new TlsPort.TlsListener(LISTENER, null, TlsPort.Mode.PASSTHROUGH, List.of(cert),
                List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate");
        assertThatThrownBy(() -> new TlsPort.TlsListener(LISTENER, null, null, List.of(), List.of()))
                .isInstanceOf(NullPointerException.class);
    }
}
