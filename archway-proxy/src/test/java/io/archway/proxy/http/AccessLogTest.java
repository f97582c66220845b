package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static AccessLogEntry entry(String path) {
        return new AccessLogEntry(0, new InetSocketAddress("127.0.0.1", 4242), "HTTP/1.1", "GET", "h", path, 200, 5,
                1_500_000, new RouteOrigin("HTTPRoute", "ns", "r", 1, "main", 2),
                new BackendOrigin("Service", "ns", "svc", 8080), new UpstreamAddress("::1", 9000), 200_000, -1,
                "completed");
    }

    @Test
    void formatsOneJsonObjectPerLineAndEscapes() {
        StringBuilder b = new StringBuilder();
        AccessLog.format(entry("/a\"b\\c\u0001"), b);
        assertThat(b.toString()).isEqualTo("{\"time\":\"1970-01-01T00:00:00Z\",\"client\":\"127.0.0.1:4242\","
                + "\"protocol\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"h\",\"path\":\"/a\\\"b\\\\c\\u0001\","
                + "\"status\":200,\"bytes\":5,\"duration_ms\":1.500,\"route\":{\"kind\":\"HTTPRoute\",\"namespace\":\"ns\","
                + "\"name\":\"r\",\"rule\":\"main\",\"match\":2},\"backend\":\"ns/svc:8080\",\"endpoint\":\"[::1]:9000\","
                + "\"upstream_connect_ms\":0.200,\"upstream_first_byte_ms\":null,\"outcome\":\"completed\"}");
    }

    @Test
    void formatsL4ConnectionsWithTransportBytesEachWayAndSniForTls() {
        StringBuilder tcp = new StringBuilder();
        AccessLog.format((AccessLogLine) new L4AccessLogEntry(0, new InetSocketAddress("127.0.0.1", 4242), 3306, "tcp",
                new RouteOrigin("TCPRoute", "db", "mysql", 0, null, 0), new BackendOrigin("Service", "db", "mysql", 3306),
                new InetSocketAddress("10.0.0.7", 3306), 120, 4096, 2_000_000, null), tcp);
        assertThat(tcp.toString()).isEqualTo("{\"time\":\"1970-01-01T00:00:00Z\",\"client\":\"127.0.0.1:4242\","
                + "\"listener_port\":3306,\"transport\":\"tcp\",\"route\":{\"kind\":\"TCPRoute\",\"namespace\":\"db\","
                + "\"name\":\"mysql\",\"rule\":\"0\",\"match\":0},\"backend\":\"db/mysql:3306\","
                + "\"endpoint\":\"10.0.0.7:3306\",\"bytes_from_client\":120,\"bytes_to_client\":4096,"
                + "\"duration_ms\":2.000}");
        StringBuilder tls = new StringBuilder();
        AccessLog.format((AccessLogLine) new L4AccessLogEntry(0, new InetSocketAddress("::1", 1), 443, "tls", null, null,
                null, 0, 0, 0, "a.example.com"), tls);
        assertThat(tls.toString()).contains("\"client\":\"[0:0:0:0:0:0:0:1]:1\"", "\"transport\":\"tls\",\"sni\":\"a.example.com\"",
                "\"route\":null,\"backend\":null,\"endpoint\":null");
        StringBuilder udp = new StringBuilder();
        AccessLog.format((AccessLogLine) new L4AccessLogEntry(0, null, 53, "udp", null, null, null, 0, 0, 0, null), udp);
        assertThat(udp.toString()).contains("\"transport\":\"udp\",\"route\"").doesNotContain("sni");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuckWriting = new CountDownLatch(1);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    stuckWriting.countDown();
                    release.await(); // a disk that hangs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sink.write(b, off, len);
            }
        };
        AccessLog log = new AccessLog(stuck, true, 4);
        assertThat(log.offer(entry("/first"))).isTrue();
        assertThat(stuckWriting.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue(); // the writer hangs on it
        long started = System.nanoTime();
        int accepted = 1;
        for (int i = 0; i < 1000; i++) {
            if (log.offer(entry("/" + i))) {
                accepted++;
            }
        }
        assertThat(System.nanoTime() - started).as("offer never waits").isLessThan(1_000_000_000L);
        assertThat(accepted).isEqualTo(1 + 4); // the one being written, plus a full queue
        assertThat(log.dropped()).isEqualTo(1000 + 1 - accepted);
        release.countDown();
        log.close();
        assertThat(log.written()).isEqualTo(accepted);
        assertThat(sink.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(accepted);
    }
}
