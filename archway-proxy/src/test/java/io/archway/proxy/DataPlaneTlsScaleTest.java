package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.https;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.testing.TlsProviders;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.PortBinding;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * 1,000 certificates on one HTTPS port, chosen by SNI, over real sockets with the JDK TLS client:
 * 985 listeners with an exact hostname (ECDSA P-256, ten of them RSA 2048), 14 wildcard listeners
 * and one catch-all listener whose certificate is the default for clients without SNI and names no
 * listener matches. A sample of the names gets exactly its certificate; exact beats wildcard;
 * TLS 1.2 and 1.3; ALPN h2 and http/1.1; the port serves them all from one TLS context. With
 * BoringSSL and the JDK. Prints the heap the compiled snapshot holds and how long compiling took.
 */
@TlsProviders.Each
class DataPlaneTlsScaleTest {
    private static final int EXACT = 985;
    private static final int WILDCARDS = 14;
    private static final List<CertificateBundle> EXACT_CERTS = new ArrayList<>();
    private static final List<CertificateBundle> WILDCARD_CERTS = new ArrayList<>();
    private static CertificateBundle catchAll;
    private static DataPlane plane;
    private static int port;
    private static PortBinding binding;
    @Parameter
    TlsProviders provider;

    private static String exactName(int i) {
        return "h" + i + ".scale.test";
    }

    private static String wildcardSuffix(int j) {
        return "w" + j + ".scale.test";
    }

    @BeforeAll
    static void aThousandCertificates() {
        final long t0 = System.nanoTime();
        // Distinct certificates; key pairs are shared to keep the set-up short (ten RSA, 16 EC).
        final java.security.KeyPair rsa = TestCertificates.keyPair("RSA");
        final List<java.security.KeyPair> ec = new ArrayList<>();
        for (int k = 0; k < 16; k++) {
            ec.add(TestCertificates.keyPair("EC"));
        }
        for (int i = 0; i < EXACT; i++) {
            EXACT_CERTS.add(TestCertificates.selfSigned(exactName(i), i % 100 == 0 ? rsa : ec.get(i % 16), false));
        }
        for (int j = 0; j < WILDCARDS; j++) {
            WILDCARD_CERTS.add(TestCertificates.selfSigned("*." + wildcardSuffix(j), "EC", false));
        }
        catchAll = TestCertificates.selfSigned("default.scale.test", "EC", false);
        System.out.printf("generated 1,000 certificates in %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        final List<ListenerEntry> listeners = new ArrayList<>();
        final var routes = vhost("*", prefix("all", "/", backend("none", 1)));
        for (int i = 0; i < EXACT; i++) {
            listeners.add(listener("exact-" + i, exactName(i), List.of(EXACT_CERTS.get(i)), routes));
        }
        for (int j = 0; j < WILDCARDS; j++) {
            listeners.add(listener("wild-" + j, "*." + wildcardSuffix(j), List.of(WILDCARD_CERTS.get(j)), routes));
        }
        listeners.add(listener("any", null, List.of(catchAll), routes));
        port = Ports.free();
        binding = https(port, listeners.toArray(new ListenerEntry[0]));
    }

    @BeforeParameterizedClassInvocation
    static void serveThem(TlsProviders provider) {
        provider.select();
        final long heapBefore = usedHeap();
        plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()));
        final long t1 = System.nanoTime();
        plane.apply(snapshot(1, binding));
        final long compileMillis = (System.nanoTime() - t1) / 1_000_000;
        final long heapAfter = usedHeap();
        System.out.printf("%s: compiled and applied 1,000 certificates in %d ms; heap held by the data plane: %.1f MiB%n",
                provider, compileMillis, (heapAfter - heapBefore) / 1048576.0);
        // Applying the same snapshot again reuses every context: no certificate is parsed twice.
        final long t2 = System.nanoTime();
        plane.apply(snapshot(2, binding));
        System.out.printf("re-applied an unchanged 1,000-certificate snapshot in %d ms%n",
                (System.nanoTime() - t2) / 1_000_000);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        plane.close();
        TlsProviders.reset();
    }

    @Test
    void aSampleOfTheThousandNamesGetsExactlyItsCertificate() throws Exception {
        final Random random = new Random(42);
        final List<Integer> sample = new ArrayList<>(List.of(0, 100, 500, EXACT - 1)); // RSA ones among them
        for (int k = 0; k < 40; k++) {
            sample.add(random.nextInt(EXACT));
        }
        for (int i : sample) {
            try (SSLSocket s = connect(exactName(i), "TLSv1.3")) {
                assertThat(peer(s).getEncoded()).as(exactName(i))
                        .isEqualTo(TestCertificates.certificate(EXACT_CERTS.get(i)).getEncoded());
                assertThat(peer(s).getPublicKey().getAlgorithm()).isEqualTo(i % 100 == 0 ? "RSA" : "EC");
            }
        }
    }

    @Test
    void exactBeatsWildcardAndUnknownOrMissingNamesGetTheCatchAllCertificate() throws Exception {
        for (int j = 0; j < WILDCARDS; j += 5) {
            try (SSLSocket s = connect("x.y." + wildcardSuffix(j), "TLSv1.3")) {
                assertThat(peer(s)).isEqualTo(TestCertificates.certificate(WILDCARD_CERTS.get(j)));
            }
        }
        try (SSLSocket s = connect("nobody.example.org", "TLSv1.3")) {
            assertThat(peer(s)).isEqualTo(TestCertificates.certificate(catchAll));
        }
        try (SSLSocket s = connect(null, "TLSv1.3")) {
            assertThat(peer(s)).isEqualTo(TestCertificates.certificate(catchAll));
        }
    }

    @Test
    void tls12And13WithAlpnH2AndHttp11() throws Exception {
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket s = connect(exactName(7), version, "h2", "http/1.1")) {
                assertThat(s.getSession().getProtocol()).isEqualTo(version);
                assertThat(s.getApplicationProtocol()).isEqualTo("h2");
            }
            try (SSLSocket s = connect(exactName(7), version, "http/1.1")) {
                assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
            }
        }
    }

    private static X509Certificate peer(SSLSocket s) throws Exception {
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }

    /** @param serverName null: no SNI */
    private static SSLSocket connect(String serverName, String version, String... alpn) throws Exception {
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
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
        final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.setSoTimeout(5000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        final SSLParameters params = s.getSSLParameters();
        params.setServerNames(serverName == null ? List.of() : List.<SNIServerName>of(new SNIHostName(serverName)));
        params.setProtocols(new String[] {version});
        if (alpn.length > 0) {
            params.setApplicationProtocols(alpn);
        }
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }
}
