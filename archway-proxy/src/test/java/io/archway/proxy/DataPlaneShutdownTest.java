package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.LeakCheck;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.RawHttp;
import io.archway.proxy.testing.TestBackend;
import org.junit.jupiter.api.Test;

/**
 * Closing the data plane while a client's keep-alive connection and a pooled upstream connection
 * are open: every socket closes while its loop still runs, so no read buffer is lost with a loop
 * that stopped first (io_uring defers a close while a read is pending). Paranoid leak detection.
 */
class DataPlaneShutdownTest {
    @Test
    void closingWithOpenConnectionsLeaksNothing() throws Exception {
        try (LeakCheck leaks = new LeakCheck(); TestBackend b = new TestBackend("d")) {
            for (int i = 0; i < 10; i++) {
                final DataPlane plane = new DataPlane(ProxyConfig.defaults());
                final int port = Ports.free();
                plane.apply(snapshot(1, http(port, listener(null, vhost("*", prefix("k", "/", backend("d", 1, b.port())))))));
                try (RawHttp c = RawHttp.connect(port)) {
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
                    plane.close();
                }
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }
}
