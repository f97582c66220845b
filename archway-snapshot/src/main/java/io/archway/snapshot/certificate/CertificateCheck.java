package io.archway.snapshot.certificate;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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
        final Checked checked = check(chainPem, keyPem);
        if (checked.problem() != null || now == null) {
            return checked.problem();
        }
        if (now.isAfter(checked.notAfter())) {
            return "the certificate in tls.crt (" + checked.subject() + ") expired at " + checked.notAfter();
        }
        if (now.isBefore(checked.notBefore())) {
            return "the certificate in tls.crt (" + checked.subject() + ") is not valid before " + checked.notBefore();
        }
        return null;
    }

    /** What does not depend on the time: a problem, or the leaf's subject and validity period. */
    private record Checked(String problem, String subject, Instant notBefore, Instant notAfter) {
        static Checked failed(String problem) {
            return new Checked(problem, null, null, null);
        }
    }

    private record Pair(String chainPem, String keyPem) {
    }

    /**
     * Results by certificate and key text. Parsing and the key match cost milliseconds (an ECDSA
     * signature and its verification), and every rebuild checks every referenced Secret again: a
     * thousand unchanged certificates must not cost seconds per rebuild. The check is a pure
     * function of the two texts, so remembering it changes no result; at most {@link #MEMO_SIZE}
     * pairs are kept, the least recently used going first.
     */
    private static final int MEMO_SIZE = 16_384;
    private static final Map<Pair, Checked> MEMO = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Pair, Checked> eldest) {
            return size() > MEMO_SIZE;
        }
    };

    private static Checked check(String chainPem, String keyPem) {
        final Pair pair = new Pair(chainPem, keyPem);
        synchronized (MEMO) {
            final Checked known = MEMO.get(pair);
            if (known != null) {
                return known;
            }
        }
        final Checked checked = checkUncached(chainPem, keyPem);
        synchronized (MEMO) {
            MEMO.put(pair, checked);
        }
        return checked;
    }

    private static Checked checkUncached(String chainPem, String keyPem) {
        if (!chainPem.contains("-----BEGIN CERTIFICATE-----")) {
            return Checked.failed("tls.crt is not PEM: it has no BEGIN CERTIFICATE block");
        }
        final X509Certificate leaf;
        try {
            leaf = PemKeyMaterial.certificates(chainPem)[0];
        } catch (GeneralSecurityException | RuntimeException e) {
            return Checked.failed("tls.crt does not parse as an X.509 certificate: " + reason(e));
        }
        if (!keyPem.contains("-----BEGIN") || !keyPem.contains("PRIVATE KEY-----")) {
            return Checked.failed("tls.key is not PEM: it has no BEGIN ... PRIVATE KEY block");
        }
        final PrivateKey key;
        try {
            key = PemKeyMaterial.privateKey(keyPem);
        } catch (GeneralSecurityException | RuntimeException e) {
            return Checked.failed("tls.key does not parse as a private key: " + reason(e));
        }
        final String subject = leaf.getSubjectX500Principal().getName();
        if (!matches(key, leaf.getPublicKey())) {
            return Checked.failed("tls.key does not match the certificate in tls.crt (" + subject
                    + "): it is the key of another certificate");
        }
        return new Checked(null, subject, leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
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
