package io.archway.snapshot.certificate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the PEM of a {@code kubernetes.io/tls} Secret without BouncyCastle. Keys may be PKCS#8
 * ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}, what Go's
 * {@code x509.MarshalPKCS1PrivateKey} writes and the Gateway API conformance suite uses): PKCS#1
 * is wrapped into PKCS#8 so the JDK's KeyFactory can read it.
 */
public final class PemKeyMaterial {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM_ID = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private PemKeyMaterial() {
    }

    public static X509Certificate[] certificates(String pem) throws GeneralSecurityException {
        final CertificateFactory factory = CertificateFactory.getInstance("X.509");
        final Collection<? extends java.security.cert.Certificate> certs = factory.generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in PEM");
        }
        final List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        return out.toArray(new X509Certificate[0]);
    }

    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        final Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            final String type = m.group(1);
            final byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(der);
            }
            if (type.equals("RSA PRIVATE KEY")) {
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
            }
            if (type.equals("EC PRIVATE KEY")) {
                return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(wrapSec1(der)));
            }
        }
        throw new GeneralSecurityException("no PKCS#8, PKCS#1 or SEC1 private key in PEM");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING pkcs1 } (RFC 5208). */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        return privateKeyInfo(RSA_ALGORITHM_ID, pkcs1);
    }

    /**
     * SEC1 ECPrivateKey (RFC 5915: SEQUENCE { version 1, OCTET STRING key, [0] curve OID, [1]
     * public key }), what OpenSSL and cert-manager write for ECDSA keys, wrapped into PKCS#8 with
     * the id-ecPublicKey algorithm and the curve taken from the [0] parameters.
     */
    static byte[] wrapSec1(byte[] sec1) throws GeneralSecurityException {
        int pos = 0;
        if ((sec1[pos++] & 0xff) != 0x30) {
            throw new GeneralSecurityException("SEC1 key is not a SEQUENCE");
        }
        pos = skipLength(sec1, pos);
        while (pos < sec1.length) {
            final int tag = sec1[pos] & 0xff;
            final int lenStart = pos + 1;
            final int valueStart = skipLength(sec1, lenStart);
            final int valueEnd = valueStart + readLength(sec1, lenStart);
            if (tag == 0xa0) {
                final byte[] curveOid = java.util.Arrays.copyOfRange(sec1, valueStart, valueEnd);
                final ByteArrayOutputStream alg = new ByteArrayOutputStream();
                // id-ecPublicKey 1.2.840.10045.2.1
                final byte[] ecPublicKey = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
                alg.write(0x30);
                writeLength(alg, ecPublicKey.length + curveOid.length);
                alg.writeBytes(ecPublicKey);
                alg.writeBytes(curveOid);
                return privateKeyInfo(alg.toByteArray(), sec1);
            }
            pos = valueEnd;
        }
        throw new GeneralSecurityException("SEC1 key without named curve parameters");
    }

    private static byte[] privateKeyInfo(byte[] algorithmId, byte[] key) {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(key.length + 32);
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithmId);
        body.write(0x04);
        writeLength(body, key.length);
        body.writeBytes(key);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 4);
        out.write(0x30);
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** The DER length at {@code pos}. */
    private static int readLength(byte[] der, int pos) {
        final int first = der[pos] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int len = 0;
        for (int i = 1; i <= (first & 0x7f); i++) {
            len = (len << 8) | (der[pos + i] & 0xff);
        }
        return len;
    }

    /** The index after the DER length at {@code pos}. */
    private static int skipLength(byte[] der, int pos) {
        final int first = der[pos] & 0xff;
        return first < 0x80 ? pos + 1 : pos + 1 + (first & 0x7f);
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }
}
