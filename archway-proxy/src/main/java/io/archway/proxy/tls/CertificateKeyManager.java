package io.archway.proxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager for exactly one certificate chain and its key, for the JDK TLS provider. Netty's
 * default for a key and chain stores them in a PKCS#12 KeyStore first, which encrypts the key with
 * a password-based cipher on every context build (tens of milliseconds each: 40 s for 1,000
 * certificates); this hands them over as they are. The JDK asks per signature scheme with a key
 * type ({@code RSA}, {@code EC}, {@code RSASSA-PSS}, ...): the chain is offered only for its own.
 */
final class CertificateKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "archway";

    private final X509Certificate[] chain;
    private final PrivateKey key;
    private final String[] aliases = {ALIAS};

    CertificateKeyManager(X509Certificate[] chain, PrivateKey key) {
        this.chain = chain.clone();
        this.key = key;
    }

    private String aliasFor(String keyType) {
        return key.getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) != null ? aliases.clone() : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    /** A server presents, it never authenticates as a client. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
