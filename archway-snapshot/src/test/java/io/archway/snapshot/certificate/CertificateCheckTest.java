package io.archway.snapshot.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;

class CertificateCheckTest {
    private static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2027-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private record Pair(String crt, String key) {
    }

    private static Pair issue(String algorithm) throws Exception {
        final KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            gen.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            gen.initialize(2048);
        }
        final KeyPair kp = gen.generateKeyPair();
        final X500Name subject = new X500Name("CN=check.example.com");
        final X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                subject, BigInteger.ONE, Date.from(NOT_BEFORE), Date.from(NOT_AFTER), subject, kp.getPublic())
                .build(new JcaContentSignerBuilder(algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                        .build(kp.getPrivate())));
        return new Pair(pem(new PemObject("CERTIFICATE", cert.getEncoded())),
                pem(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded())));
    }

    private static String pem(PemObject o) throws Exception {
        final StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    @Test
    void aMatchingRsaOrEcdsaPairWithinItsValidityIsFine() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            final Pair p = issue(algorithm);
            assertThat(CertificateCheck.problem(p.crt(), p.key(), NOW)).as(algorithm).isNull();
            assertThat(CertificateCheck.problem(p.crt(), p.key(), null)).as(algorithm).isNull();
        }
    }

    @Test
    void eachProblemIsNamed() throws Exception {
        final Pair rsa = issue("RSA");
        final Pair otherRsa = issue("RSA");
        final Pair ec = issue("EC");
        final Pair otherEc = issue("EC");
        assertThat(CertificateCheck.problem("just text", rsa.key(), NOW)).isEqualTo(
                "tls.crt is not PEM: it has no BEGIN CERTIFICATE block");
        assertThat(CertificateCheck.problem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", rsa.key(),
                NOW)).startsWith("tls.crt does not parse as an X.509 certificate: ");
        assertThat(CertificateCheck.problem(rsa.crt(), "just text", NOW)).isEqualTo(
                "tls.key is not PEM: it has no BEGIN ... PRIVATE KEY block");
        assertThat(CertificateCheck.problem(rsa.crt(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                NOW)).startsWith("tls.key does not parse as a private key: ");
        assertThat(CertificateCheck.problem(rsa.crt(), otherRsa.key(), NOW)).isEqualTo(
                "tls.key does not match the certificate in tls.crt (CN=check.example.com): it is the key of another"
                        + " certificate");
        assertThat(CertificateCheck.problem(ec.crt(), otherEc.key(), NOW)).startsWith("tls.key does not match");
        assertThat(CertificateCheck.problem(ec.crt(), rsa.key(), NOW)).startsWith("tls.key does not match");
        assertThat(CertificateCheck.problem(rsa.crt(), ec.key(), NOW)).startsWith("tls.key does not match");
        assertThat(CertificateCheck.problem(rsa.crt(), rsa.key(), Instant.parse("2027-01-01T00:00:01Z"))).isEqualTo(
                "the certificate in tls.crt (CN=check.example.com) expired at 2027-01-01T00:00:00Z");
        assertThat(CertificateCheck.problem(rsa.crt(), rsa.key(), Instant.parse("2025-12-31T23:59:59Z"))).isEqualTo(
                "the certificate in tls.crt (CN=check.example.com) is not valid before 2026-01-01T00:00:00Z");
    }
}
