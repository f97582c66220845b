package io.archway.proxy.tls;

import io.archway.snapshot.CertificateBundle;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One certificate bundle parsed once (chain and key), as a listener's port presents it: the
 * {@link SniKeyManager} hands it to the handshake under {@link #alias()}, unique in this process
 * so that a cache of native key material by alias (BoringSSL) can never serve a replaced
 * certificate under an old name.
 */
final class LoadedCertificate {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final CertificateBundle bundle;
    private final X509Certificate[] chain;
    private final PrivateKey key;
    private final String alias;

    LoadedCertificate(CertificateBundle bundle, X509Certificate[] chain, PrivateKey key) {
        this.bundle = bundle;
        this.chain = chain.clone();
        this.key = key;
        this.alias = "archway-" + SEQUENCE.incrementAndGet();
    }

    CertificateBundle bundle() {
        return bundle;
    }

    X509Certificate leaf() {
        return chain[0];
    }

    X509Certificate[] chain() {
        return chain.clone();
    }

    PrivateKey key() {
        return key;
    }

    String alias() {
        return alias;
    }

    /**
     * Whether the handshake may sign with this certificate's key for {@code keyType}, the key
     * algorithm a TLS provider asks a key manager for ({@code RSA}, {@code EC}, {@code RSASSA-PSS}, ...).
     */
    boolean serves(String keyType) {
        return key.getAlgorithm().equals(keyType);
    }
}
