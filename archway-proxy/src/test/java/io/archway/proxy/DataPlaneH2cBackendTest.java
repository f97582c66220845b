package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.H2cBackend;
import io.archway.proxy.testing.H2cClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.Snapshots;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.WeightedBackend;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubernetes.io/h2c backends are spoken to with HTTP/2 prior knowledge, multiplexed. */
class DataPlaneH2cBackendTest {
    private static ProxyConfig oneEventLoop() {
        final ProxyConfig d = ProxyConfig.defaults();
        return new ProxyConfig(0, 1, d.maxInitialLineLength(), d.maxHeaderSize(), d.connectTimeout(), d.idleTimeout(),
                d.drainTimeout());
    }

    @Test
    void proxiesHttp11AndH2cClientsToAnH2cOnlyBackend() throws Exception {
        final int port = Ports.free();
        try (H2cBackend backend = new H2cBackend(); DataPlane plane = new DataPlane(oneEventLoop())) {
            final WeightedBackend h2c = new WeightedBackend(new BackendOrigin("Service", "ns", "h2c", 80), 1,
                    AppProtocol.H2C, List.of(new Endpoint("127.0.0.1", backend.port())), null, List.of());
            plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                    Snapshots.route("h2c", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(), h2c))))));
            try (RawHttp c = RawHttp.connect(port)) {
                for (int i = 0; i < 5; i++) {
                    final RawHttp.Response r = c.send("GET /p" + i + "?q=1 HTTP/1.1\r\nHost: svc.test\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("h2c /p" + i + "?q=1 svc.test");
                }
                final RawHttp.Response echo = c.send("POST /e HTTP/1.1\r\nHost: svc.test\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
                assertThat(echo.body()).isEqualTo("hello");
            }
            // The conformance case: an h2c client through to an h2c backend.
            try (H2cClient client = new H2cClient(port)) {
                assertThat(client.send(HttpMethod.GET, "/", "svc.test", "")).isEqualTo("200 h2c / svc.test");
            }
            // One event loop: every request of both clients shared one multiplexed connection.
            assertThat(backend.connections()).isEqualTo(1);
        }
    }
}
