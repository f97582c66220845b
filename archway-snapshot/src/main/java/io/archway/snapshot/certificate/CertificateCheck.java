package io.archway.snapshot.certificate;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;

/**
 * What is wrong with a serving certificate and its key, as a {@code kubernetes.io/tls} Secret holds
 * them: the one check the translator reports in status (ResolvedRefs=False, InvalidCertificateRef)
 * and the data plane relies on when it loads them. Each problem is one short sentence naming the
 * Secret key at fault: not PEM, does not parse, the key does not match the certificate, expired or
 * not yet valid. JDK only; no clock: the caller passes the time.
 */
public final class CertificateCheck {
    private static final byte[] PROBE = "archway key check".getBytes(StandardCharsets.US_ASCII);

    private CertificateCheck() {
    }

    /**
     * The problem with {@code chainPem} ({@code tls.crt}) and {@code keyPem} ({@code tls.key}), or
     * null when they are usable.
     *
     * @param now the time the validity period is checked at; null to not check it
     */
    public static String problem(String chainPem, String keyPem, Instant now) {
        if (!chainPem.contains("-----BEGIN CERTIFICATE-----")) {
            return "tls.crt is not PEM: it has no BEGIN CERTIFICATE block";
        }
        final X509Certificate leaf;
        try {
            leaf = PemKeyMaterial.certificates(chainPem)[0];
        } catch (GeneralSecurityException | RuntimeException e) {
            return "tls.crt does not parse as an X.509 certificate: " + reason(e);
        }
        if (!keyPem.contains("-----BEGIN") || !keyPem.contains("PRIVATE KEY-----")) {
            return "tls.key is not PEM: it has no BEGIN ... PRIVATE KEY block";
        }
        final PrivateKey key;
        try {
            key = PemKeyMaterial.privateKey(keyPem);
        } catch (GeneralSecurityException | RuntimeException e) {
            return "tls.key does not parse as a private key: " + reason(e);
        }
        if (!matches(key, leaf.getPublicKey())) {
            return "tls.key does not match the certificate in tls.crt (" + leaf.getSubjectX500Principal().getName()
                    + "): it is the key of another certificate";
        }
        if (now != null) {
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                return "the certificate in tls.crt (" + leaf.getSubjectX500Principal().getName() + ") expired at "
                        + leaf.getNotAfter().toInstant();
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                return "the certificate in tls.crt (" + leaf.getSubjectX500Principal().getName()
                        + ") is not valid before " + leaf.getNotBefore().toInstant();
            }
        }
        return null;
    }

    /**
     * Whether {@code key} is the private half of {@code publicKey}: RSA keys share their modulus
     * (cheap, and the common case); other keys must sign what the public key verifies.
     */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (key instanceof RSAKey rsa) {
            return publicKey instanceof RSAKey pub && rsa.getModulus().equals(pub.getModulus());
        }
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        final String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm();
        try {
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static String reason(Exception e) {
        final String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
