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
    private static final java.util.concurrent.atomic.AtomicInteger SERIAL = new java.util.concurrent.atomic.AtomicInteger();

    private TestCertificates() {
    }

    /** A self-signed RSA certificate for {@code dnsName}; the key in PKCS#8, or PKCS#1 when asked. */
    public static CertificateBundle selfSigned(String dnsName, boolean pkcs1) {
        return selfSigned(dnsName, "RSA", pkcs1);
    }

    /**
     * A self-signed certificate for {@code dnsName} (also its subject CN), valid from a minute ago
     * for a day.
     *
     * @param algorithm {@code RSA} (2048 bits) or {@code EC} (P-256)
     * @param traditional the key as OpenSSL's traditional PEM (PKCS#1 / SEC1) rather than PKCS#8
     */
    public static CertificateBundle selfSigned(String dnsName, String algorithm, boolean traditional) {
        return selfSigned(dnsName, keyPair(algorithm), traditional);
    }

    /** A new key pair: {@code RSA} (2048 bits) or {@code EC} (P-256). */
    public static KeyPair keyPair(String algorithm) {
        try {
            final KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            } else {
                gen.initialize(2048);
            }
            return gen.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate for {@code dnsName} with the key pair {@code kp} (several may share one). */
    public static CertificateBundle selfSigned(String dnsName, KeyPair kp, boolean traditional) {
        final String algorithm = kp.getPrivate().getAlgorithm();
        try {
            final X500Name subject = new X500Name("CN=" + dnsName);
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(now).shiftLeft(16).add(BigInteger.valueOf(SERIAL.incrementAndGet() & 0xffff)),
                    new Date(now - 60_000), new Date(now + 86_400_000L), subject, kp.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                            .build(kp.getPrivate())));
            final String certPem = pem(cert);
            final String keyPem;
            if (traditional) {
                keyPem = pem(kp); // JcaMiscPEMGenerator writes a KeyPair as "RSA PRIVATE KEY" / "EC PRIVATE KEY"
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

    /** A self-signed RSA certificate authority (basicConstraints CA, keyCertSign), PKCS#8 key. */
    public static CertificateBundle authority(String name) {
        return issue(name, keyPair("RSA"), null, true, false);
    }

    /**
     * An RSA certificate for {@code cn} issued by {@code ca}, for TLS clients (extended key usage
     * clientAuth) or servers (serverAuth, and {@code cn} as its dNSName).
     */
    public static CertificateBundle issued(String cn, CertificateBundle ca, boolean client) {
        return issue(cn, keyPair("RSA"), ca, false, client);
    }

    private static CertificateBundle issue(String cn, KeyPair kp, CertificateBundle ca, boolean isCa, boolean client) {
        try {
            final X500Name subject = new X500Name("CN=" + cn);
            final X500Name issuer = ca == null ? subject
                    : X500Name.getInstance(certificate(ca).getSubjectX500Principal().getEncoded());
            final long now = System.currentTimeMillis();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(now).shiftLeft(16).add(BigInteger.valueOf(SERIAL.incrementAndGet() & 0xffff)),
                    new Date(now - 60_000), new Date(now + 86_400_000L), subject, kp.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new org.bouncycastle.asn1.x509.BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                        org.bouncycastle.asn1.x509.KeyUsage.keyCertSign | org.bouncycastle.asn1.x509.KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                        org.bouncycastle.asn1.x509.KeyUsage.digitalSignature
                                | org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false, new org.bouncycastle.asn1.x509.ExtendedKeyUsage(
                        client ? org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_clientAuth
                                : org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth));
                if (!client) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, cn)));
                }
            }
            final java.security.PrivateKey signer = ca == null ? kp.getPrivate()
                    : io.archway.snapshot.certificate.PemKeyMaterial.privateKey(ca.privateKeyPem());
            final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
            final StringWriter key = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(key)) {
                w.writeObject(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
            }
            return new CertificateBundle("Secret ns/" + cn, pem(cert), key.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate of a bundle, parsed. */
    public static X509Certificate certificate(CertificateBundle bundle) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                    new java.io.ByteArrayInputStream(bundle.certificateChainPem().getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
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
