package io.archway.proxy.bench;

import io.archway.proxy.DataPlane;
import io.archway.proxy.ProxyConfig;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.tls.TlsProvider;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.WeightedBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Full TLS 1.3 handshakes per second on one proxy event loop:
 * {@code TlsHandshakeBench <RSA|EC> <seconds> <clientThreads>}, provider by
 * {@code -Darchway.tls.provider=jdk|openssl}. The clients (JDK, in this JVM) invalidate every
 * session so none is resumed, and close after the handshake. Reports handshakes per wall second
 * and per CPU second of the proxy's event loop thread (the cost per proxy core, which the clients
 * sharing the machine do not distort), after a warm-up ({@code -Darchway.bench.warmup}, 10 s).
 */
public final class TlsHandshakeBench {
    private TlsHandshakeBench() {
    }

    public static void main(String[] args) throws Exception {
        final String algorithm = args[0];
        final int seconds = Integer.parseInt(args[1]);
        final int clients = Integer.parseInt(args[2]);
        final CertificateBundle bundle = TestCertificates.selfSigned("bench.example.com", algorithm, false);
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final ProxyConfig defaults = ProxyConfig.defaults();
        final DataPlane plane = new DataPlane(new ProxyConfig(0, 1, defaults.maxInitialLineLength(),
                defaults.maxHeaderSize(), defaults.connectTimeout(), defaults.idleTimeout(), defaults.drainTimeout()));
        final HttpRouteEntry route = new HttpRouteEntry(new RouteOrigin("HTTPRoute", "bench", "all", 0, null, 0),
                new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), null, List.of(), List.of()),
                List.of(), List.of(new WeightedBackend(new BackendOrigin("Service", "bench", "none", 1), 1,
                        AppProtocol.HTTP1, List.of(), null, List.of())));
        plane.apply(new RoutingSnapshot(1, List.of(new PortBinding("127.0.0.1", port, new HttpPort(ListenerProtocol.HTTPS,
                List.of(new ListenerEntry(new ListenerOrigin("bench", "gw", "https"), "bench.example.com",
                        List.of(bundle), List.of(new VirtualHost("*", List.of(route))))))))));
        final SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        // Warm-up, then the measured run.
        run(client, port, Integer.getInteger("archway.bench.warmup", 10), clients);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long cpuBefore = proxyCpuNanos(threads);
        final long done = run(client, port, seconds, clients);
        final long cpu = proxyCpuNanos(threads) - cpuBefore;
        System.out.printf("provider %s (%s), %s key, TLS 1.3 full handshakes: %d in %d s = %.0f/s wall;"
                        + " proxy event loop CPU %.2f s = %.0f handshakes per proxy core-second%n",
                TlsProvider.selected(), System.getProperty(TlsProvider.PROPERTY, "jdk"), algorithm, done, seconds,
                done / (double) seconds, cpu / 1e9, done / (cpu / 1e9));
        plane.close();
    }

    private static long proxyCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith("archway-io")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static long run(SSLContext client, int port, int seconds, int clients) throws Exception {
        final AtomicLong count = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread[] workers = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            workers[i] = new Thread(() -> {
                while (!stop.get()) {
                    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                        s.setSoTimeout(5000);
                        final SSLParameters params = s.getSSLParameters();
                        params.setServerNames(List.<SNIServerName>of(new SNIHostName("bench.example.com")));
                        params.setProtocols(new String[] {"TLSv1.3"});
                        s.setSSLParameters(params);
                        s.startHandshake();
                        s.getSession().invalidate(); // no resumption: every handshake is a full one
                        count.incrementAndGet();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            workers[i].start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : workers) {
            t.join();
        }
        return count.get();
    }
}
