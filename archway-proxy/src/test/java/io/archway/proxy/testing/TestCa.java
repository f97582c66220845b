package io.archway.proxy.testing;

import io.archway.snapshot.CertificateBundle;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
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

/** A certificate authority for a test: issues server and client certificates (EC P-256). */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis() << 8);

    private final String name;
    private final KeyPair key = TestCertificates.keyPair("EC");
    private final X509Certificate certificate;

    public TestCa(String name) {
        this.name = name;
        try {
            final X500Name subject = new X500Name("CN=" + name);
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                    subject, key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
            certificate = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA certificate in PEM (a ConfigMap's {@code ca.crt}). */
    public String pem() {
        return pem(certificate);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * A certificate with the DNS names and URIs as SANs; for a client ({@code clientAuth}) or a
     * server. The key is PKCS#8.
     */
    public CertificateBundle issue(String commonName, List<String> dnsNames, List<String> uris, boolean clientAuth) {
        try {
            final KeyPair kp = TestCertificates.keyPair("EC");
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L),
                    new X500Name("CN=" + commonName), kp.getPublic());
            final List<GeneralName> sans = new ArrayList<>();
            dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
            uris.forEach(u -> sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(clientAuth ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
            final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            final StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
            }
            return new CertificateBundle("Secret ns/" + commonName, pem(cert), sw.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate cert) {
        try {
            final StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(cert);
            }
            return sw.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
