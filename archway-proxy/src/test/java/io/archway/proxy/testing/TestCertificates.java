package io.archway.proxy.testing;

import io.archway.snapshot.CertificateBundle;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Self-signed certificates generated per test run. */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A self-signed RSA certificate for {@code dnsName}; the key in PKCS#8, or PKCS#1 when asked. */
    public static CertificateBundle selfSigned(String dnsName, boolean pkcs1) {
        try {
            final KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            final KeyPair kp = gen.generateKeyPair();
            final X500Name subject = new X500Name("CN=" + dnsName);
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(now), new Date(now - 60_000), new Date(now + 86_400_000L), subject,
                    kp.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
            final String certPem = pem(cert);
            final String keyPem;
            if (pkcs1) {
                keyPem = pem(kp); // JcaMiscPEMGenerator writes a KeyPair as "RSA PRIVATE KEY"
            } else {
                final StringWriter sw = new StringWriter();
                try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                    w.writeObject(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
                }
                keyPem = sw.toString();
            }
            return new CertificateBundle("Secret ns/" + dnsName, certPem, keyPem);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) throws Exception {
        final StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new JcaMiscPEMGenerator(o));
        }
        return sw.toString();
    }
}
