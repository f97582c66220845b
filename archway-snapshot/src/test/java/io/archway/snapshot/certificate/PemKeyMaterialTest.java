package io.archway.snapshot.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;

class PemKeyMaterialTest {
    private static String pem(Object o) throws Exception {
        final StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o instanceof PemObject p ? p : new JcaMiscPEMGenerator(o));
        }
        return sw.toString();
    }

    @Test
    void readsPkcs1AndPkcs8Rsa() throws Exception {
        final KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        final KeyPair kp = gen.generateKeyPair();
        final String pkcs1 = pem(kp);
        assertThat(pkcs1).contains("BEGIN RSA PRIVATE KEY");
        assertThat(PemKeyMaterial.privateKey(pkcs1).getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
        final String pkcs8 = pem(new PemObject("PRIVATE KEY", kp.getPrivate().getEncoded()));
        assertThat(PemKeyMaterial.privateKey(pkcs8).getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
    }

    @Test
    void readsSec1EcKeys() throws Exception {
        final KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        final KeyPair kp = gen.generateKeyPair();
        // SEC1 with the named curve in [0], as OpenSSL and cert-manager write it.
        final java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getS();
        final org.bouncycastle.asn1.sec.ECPrivateKey asn1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d,
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
        final String sec1 = pem(new PemObject("EC PRIVATE KEY", asn1.getEncoded()));
        final PrivateKey key = PemKeyMaterial.privateKey(sec1);
        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(((java.security.interfaces.ECPrivateKey) key).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getS());
    }

    @Test
    void rejectsPemWithoutKey() {
        assertThatThrownBy(() -> PemKeyMaterial.privateKey("nothing here"))
                .isInstanceOf(GeneralSecurityException.class);
    }
}
