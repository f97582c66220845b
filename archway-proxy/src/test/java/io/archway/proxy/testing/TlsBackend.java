package io.archway.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A blocking TLS backend on loopback with its own self-signed certificate (JDK TLS, terminated
 * here, never by the proxy): after the handshake it sends {@code name\n}, then echoes every byte;
 * when the client half-closes it sends {@code eof:name\n} and closes. It records the server names
 * (SNI) its clients' ClientHellos carried.
 */
public final class TlsBackend implements AutoCloseable {
    private final String name;
    private final X509Certificate certificate;
    private final SSLServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** @param dnsName the certificate's subject CN and DNS name */
    public TlsBackend(String name, String dnsName) {
        this.name = name;
        try {
            final KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            final KeyPair kp = gen.generateKeyPair();
            final X500Name subject = new X500Name("CN=" + dnsName);
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(now).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
                    new Date(now - 60_000), new Date(now + 86_400_000L), subject, kp.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            final char[] pass = "changeit".toCharArray();
            ks.setKeyEntry("key", kp.getPrivate(), pass, new X509Certificate[] {certificate});
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 200,
                    InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        final Thread t = new Thread(this::acceptLoop, "tls-backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** TCP connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** TLS handshakes completed so far. */
    public int handshakes() {
        return handshakes.get();
    }

    /** The SNI host name of each completed handshake ("" for none), in order. */
    public List<String> serverNames() {
        return serverNames;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                final Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                final Thread t = new Thread(() -> serve((SSLSocket) s), "tls-backend-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SSLSocket s) {
        try (s) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            s.startHandshake();
            handshakes.incrementAndGet();
            String sni = "";
            for (SNIServerName n : ((ExtendedSSLSession) s.getSession()).getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    sni = h.getAsciiName();
                }
            }
            serverNames.add(sni);
            TcpBackend.echo(s, name);
        } catch (IOException ignored) {
            // client gone, or a handshake the client abandoned
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
