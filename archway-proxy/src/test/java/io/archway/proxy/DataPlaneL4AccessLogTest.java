package io.archway.proxy;

import static io.archway.proxy.DataPlaneTcpTest.waitFor;
import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.l4;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.tcp;
import static io.archway.proxy.testing.Snapshots.tls;
import static io.archway.proxy.testing.Snapshots.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.TlsBackend;
import io.archway.proxy.testing.UdpBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON access log's line per finished TCP connection, UDP session and TLS passthrough connection. */
class DataPlaneL4AccessLogTest {
    @TempDir
    Path dir;

    private Path log;
    private DataPlane plane;

    @BeforeEach
    void start() {
        log = dir.resolve("access.log");
        plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()).withAccessLog(log.toString())
                .withUdpSessions(Duration.ofMillis(300), 100));
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    private List<String> awaitLines(int n) throws Exception {
        waitFor(() -> {
            try {
                return Files.exists(log) && Files.readAllLines(log, StandardCharsets.UTF_8).size() >= n;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    @Test
    void aTcpConnectionIsOneLineWithRouteBackendEndpointAndBytesEachWay() throws Exception {
        final int port = Ports.free();
        try (TcpBackend a = new TcpBackend("a")) {
            plane.apply(snapshot(1, tcp(port, l4("TCPRoute", "db", backend("a", 1, a.port())))));
            try (DataPlaneTcpTest.Client c = new DataPlaneTcpTest.Client(port)) {
                assertThat(c.line()).isEqualTo("a");
                c.send("hello proxy\n");
                assertThat(c.line()).isEqualTo("hello proxy");
            }
            final String line = awaitLines(1).get(0);
            assertThat(line).startsWith("{\"time\":\"20").contains("\"client\":\"127.0.0.1:")
                    .contains("\"listener_port\":" + port + ",\"transport\":\"tcp\",\"route\":{\"kind\":\"TCPRoute\","
                            + "\"namespace\":\"ns\",\"name\":\"db\",\"rule\":\"0\",\"match\":0},\"backend\":\"ns/a:80\","
                            + "\"endpoint\":\"127.0.0.1:" + a.port() + "\",\"bytes_from_client\":12,\"bytes_to_client\":")
                    .containsPattern("\"duration_ms\":\\d+\\.\\d{3}}$")
                    .doesNotContain("sni");
        }
        // No route: closed at once, still one line.
        final int none = Ports.free();
        plane.apply(snapshot(2, tcp(none, null)));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", none)) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(awaitLines(2).get(1)).contains("\"listener_port\":" + none + ",\"transport\":\"tcp\","
                + "\"route\":null,\"backend\":null,\"endpoint\":null,\"bytes_from_client\":0,\"bytes_to_client\":0");
        assertThat(plane.accessLogDropped()).isZero();
    }

    @Test
    void aUdpSessionIsOneLineWhenItEnds() throws Exception {
        final int port = Ports.free();
        try (UdpBackend a = new UdpBackend("a")) {
            plane.apply(snapshot(1, udp(port, l4("UDPRoute", "dns", backend("a", 1, a.port())))));
            try (DataPlaneUdpTest.Client c = new DataPlaneUdpTest.Client(port)) {
                assertThat(c.ask("hello")).isEqualTo("a:hello");
                assertThat(c.ask("again")).isEqualTo("a:again");
                // The session ends after 300 ms idle.
                final String line = awaitLines(1).get(0);
                assertThat(line).contains("\"client\":\"127.0.0.1:", "\"listener_port\":" + port
                        + ",\"transport\":\"udp\",\"route\":{\"kind\":\"UDPRoute\",\"namespace\":\"ns\",\"name\":\"dns\"",
                        "\"backend\":\"ns/a:80\",\"endpoint\":\"127.0.0.1:" + a.port() + "\"",
                        "\"bytes_from_client\":10,\"bytes_to_client\":14,");
            }
        }
    }

    @Test
    void aTlsPassthroughConnectionCarriesItsServerName() throws Exception {
        final int port = Ports.free();
        try (TlsBackend a = new TlsBackend("a", "a.example.com")) {
            plane.apply(snapshot(1, tls(port, passthrough("any", null,
                    sni("*", "pass", backend("a", 1, a.port()))))));
            try (DataPlaneTlsPassthroughTest.TlsClient c = DataPlaneTlsPassthroughTest.TlsClient.connect(port,
                    "A.example.com")) {
                assertThat(c.line()).isEqualTo("a");
            }
            final String line = awaitLines(1).get(0);
            assertThat(line).contains("\"listener_port\":" + port + ",\"transport\":\"tls\",\"sni\":\"a.example.com\","
                    + "\"route\":{\"kind\":\"TLSRoute\",\"namespace\":\"ns\",\"name\":\"pass\"",
                    "\"backend\":\"ns/a:80\",\"endpoint\":\"127.0.0.1:" + a.port() + "\"");
            assertThat(line).containsPattern("\"bytes_from_client\":[1-9]\\d{2,},\"bytes_to_client\":[1-9]\\d{2,}");
        }
    }
}
