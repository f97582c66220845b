package io.archway.it;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** A certificate authority for an end-to-end test (EC P-256), and the manifests that carry its output. */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis() << 8);

    /** A certificate and its PKCS#8 key, in PEM. */
    record Issued(String certificatePem, String keyPem) {
    }

    private final String name;
    private final KeyPair key = keyPair();
    private final String pem;

    TestPki(String name) {
        this.name = name;
        try {
            final X500Name subject = new X500Name("CN=" + name);
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                    subject, key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
            pem = pem(new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA certificate in PEM. */
    String pem() {
        return pem;
    }

    /** A server ({@code dnsNames} as SANs) or client certificate this CA signs. */
    Issued issue(String commonName, List<String> dnsNames, boolean client) {
        try {
            final KeyPair kp = keyPair();
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                    new X500Name("CN=" + commonName), kp.getPublic());
            if (!dnsNames.isEmpty()) {
                final List<GeneralName> sans = new ArrayList<>();
                dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
            final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            final StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
            }
            return new Issued(pem(cert), sw.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A ConfigMap whose {@code ca.crt} is this CA's certificate (a BackendTLSPolicy's caCertificateRef). */
    String configMap(String configMapName) {
        final StringBuilder sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ")
                .append(configMapName).append("\ndata:\n  ca.crt: |\n");
        pem.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
        return sb.toString();
    }

    /** A {@code kubernetes.io/tls} Secret holding {@code issued}. */
    static String secret(String secretName, Issued issued) {
        final Base64.Encoder b64 = Base64.getEncoder();
        return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + secretName + "\ntype: kubernetes.io/tls\ndata:\n"
                + "  tls.crt: " + b64.encodeToString(issued.certificatePem().getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "  tls.key: " + b64.encodeToString(issued.keyPem().getBytes(StandardCharsets.US_ASCII)) + "\n";
    }

    private static KeyPair keyPair() {
        try {
            final KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate cert) throws java.io.IOException {
        final StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(cert);
        }
        return sw.toString();
    }
}
