package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class CertificatesTest {

    @Test
    void upstreamSetupCreatesTheSecretsAndConfigMaps() {
        Certificates c = Certificates.upstreamSetup(false);
        List<String> names = c.resources().stream().map(r -> r.kind() + " " + r.namespace() + "/" + r.name()).toList();
        assertThat(names).contains("Secret gateway-conformance-web-backend/certificate",
                "Secret gateway-conformance-infra/tls-validity-checks-certificate",
                "ConfigMap gateway-conformance-web-backend/web-backend-cm",
                "Secret gateway-conformance-infra/tls-checks-certificate",
                "Secret gateway-conformance-app-backend/tls-passthrough-checks-certificate",
                "ConfigMap gateway-conformance-infra/mismatch-ca-certificate");
        assertThat(c.secret(Certificates.WEB, "certificate").keyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        String yaml = c.yaml();
        assertThat(yaml).contains("type: kubernetes.io/tls").contains("tls.crt: ").contains("ca.crt: |");
        assertThat(Json.readYamlDocuments(yaml)).hasSize(c.resources().size());
    }

    @Test
    void goHostnameRules() throws Exception {
        Certificates c = new Certificates(true);
        var issued = c.selfSignedSecret("ns", "s", List.of("*", "*.org", "*.wildcard.org"));
        assertThat(HttpProbe.verifyHostname(issued.certificate(), "example.org")).isTrue();
        assertThat(HttpProbe.verifyHostname(issued.certificate(), "second-example.org")).isTrue();
        assertThat(HttpProbe.verifyHostname(issued.certificate(), "fourth-example.wildcard.org")).isTrue();
        assertThat(HttpProbe.verifyHostname(issued.certificate(), "example.com")).isFalse();
        assertThat(HttpProbe.verifyHostname(issued.certificate(), "a.b.org")).isFalse();
        assertThat(c.secret("ns", "s").keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Certificates.validDnsHost("*")).isFalse();
        assertThat(Certificates.validDnsHost("*.wildcard.org")).isTrue();
    }

    @Test
    void httpsProbeSendsSniAndTrustsTheGeneratedCertificate() throws Exception {
        Certificates c = new Certificates(true);
        var issued = c.selfSignedSecret("ns", "s", List.of("*", "*.org"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", issued.key(), "pw".toCharArray(), new Certificate[] {issued.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        String[] sni = new String[1];
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 10,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) ss.accept()) {
                        s.startHandshake();
                        var names = ((javax.net.ssl.ExtendedSSLSession) s.getSession()).getRequestedServerNames();
                        sni[0] = names.isEmpty() ? null : ((javax.net.ssl.SNIHostName) names.get(0)).getAsciiName();
                        InputStream in = s.getInputStream();
                        StringBuilder head = new StringBuilder();
                        while (!head.toString().endsWith("\r\n\r\n")) {
                            head.append((char) in.read());
                        }
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException e) {
                        // the hostname-mismatch attempt aborts on the client side
                    }
                }
            });
            t.start();
            SSLContext trust = HttpProbe.trusting(c.allCertificates());
            HttpProbe.Response res = HttpProbe.send(new HttpProbe.Request("https", "127.0.0.1", ss.getLocalPort(), "GET",
                    "example.org", "/", Map.of(), "", "example.org", trust, Duration.ofSeconds(5)));
            assertThat(res.status()).isEqualTo(200);
            assertThat(res.bodyText()).isEqualTo("ok");
            assertThat(sni[0]).isEqualTo("example.org");
            assertThatThrownBy(() -> HttpProbe.send(new HttpProbe.Request("https", "127.0.0.1", ss.getLocalPort(),
                    "GET", "example.com", "/", Map.of(), "", "example.com", trust, Duration.ofSeconds(5))))
                    .hasMessageContaining("not valid for example.com");
            t.join(5000);
        }
    }
}
