package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.https;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.terminate;
import static io.archway.proxy.testing.Snapshots.tls;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.DataPlaneTlsPassthroughTest.TlsClient;
import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.TcpBackend;
import io.archway.proxy.testing.TestCertificates;
import io.archway.proxy.tls.ServerContexts;
import io.archway.proxy.tls.SniCertificateMapping;
import io.archway.proxy.tls.TlsProvider;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.Transport;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * BoringSSL (netty-tcnative) as the default TLS provider: it loads on this platform, contexts are
 * BoringSSL's unless {@code -Darchway.tls.provider=jdk} opts out, and HTTPS and TLS Terminate
 * listeners handshake with RSA and ECDSA certificates, TLS 1.2 and 1.3, ALPN h2.
 */
class DataPlaneTlsProviderTest {
    private static final CertificateBundle RSA = TestCertificates.selfSigned("rsa.example.com", false);
    private static final CertificateBundle EC = TestCertificates.selfSigned("ec.example.com", "EC", false);

    @AfterEach
    void jdkAgain() {
        System.clearProperty(TlsProvider.PROPERTY);
    }

    @Test
    void boringSslLoadsAndIsTheDefaultAndTheJdkIsAnOptOut() throws Exception {
        assertThat(OpenSsl.isAvailable()).as(String.valueOf(OpenSsl.unavailabilityCause())).isTrue();
        assertThat(httpsContext()).isInstanceOf(OpenSslContext.class);
        assertThat(TlsProvider.forByteStreams()).as("TLSRoute Terminate too: its half-close holds with BoringSSL")
                .isEqualTo(io.netty.handler.ssl.SslProvider.OPENSSL);
        System.setProperty(TlsProvider.PROPERTY, "jdk");
        assertThat(httpsContext()).isNotInstanceOf(OpenSslContext.class);
        System.setProperty(TlsProvider.PROPERTY, "no-such-provider");
        assertThat(TlsProvider.selected()).isEqualTo(io.netty.handler.ssl.SslProvider.JDK);
    }

    /** The context of an HTTPS port with one listener, built with the provider selected now. */
    private static SslContext httpsContext() {
        final int port = Ports.free();
        return SniCertificateMapping.forHttps(new SocketKey("127.0.0.1", port, Transport.TCP),
                        new HttpPort(ListenerProtocol.HTTPS, List.of(listener("rsa", "rsa.example.com", List.of(RSA)))),
                        ServerContexts.after(ServerContexts.none()))
                .contextFor("rsa.example.com");
    }

    @Test
    void httpsAndTlsTerminateHandshakeThroughBoringSsl() throws Exception {
        final int httpsPort = Ports.free();
        final int tlsPort = Ports.free();
        try (TcpBackend plain = new TcpBackend("plain")) {
            final DataPlane plane = new DataPlane(DataPlaneTcpTest.config(ProxyConfig.defaults()));
            try {
                plane.apply(snapshot(1,
                        https(httpsPort, listener("rsa", "rsa.example.com", List.of(RSA),
                                vhost("*", prefix("all", "/", backend("none", 1)))),
                                listener("ec", "ec.example.com", List.of(EC),
                                        vhost("*", prefix("all", "/", backend("none", 1))))),
                        tls(tlsPort, terminate("t", "ec.example.com", List.of(EC),
                                sni("ec.example.com", "t", backend("plain", 1, plain.port()))))));
                try (TlsClient c = TlsClient.connect(httpsPort, "rsa.example.com", "h2", "http/1.1")) {
                    assertThat(c.peer()).isEqualTo(TestCertificates.certificate(RSA));
                }
                try (TlsClient c = TlsClient.connect(httpsPort, "ec.example.com")) {
                    assertThat(c.peer()).isEqualTo(TestCertificates.certificate(EC));
                }
                try (TlsClient c = TlsClient.connect(tlsPort, "ec.example.com")) {
                    assertThat(c.peer()).isEqualTo(TestCertificates.certificate(EC));
                    assertThat(c.line()).isEqualTo("plain");
                    c.send("through BoringSSL\n");
                    assertThat(c.line()).isEqualTo("through BoringSSL");
                }
            } finally {
                plane.close();
            }
        }
    }
}
