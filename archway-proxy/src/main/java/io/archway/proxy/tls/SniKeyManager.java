package io.archway.proxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of a port's one server context: picks the certificate of each handshake from the
 * server name the client requested (SNI), with both TLS providers. The JDK's SSLEngine and Netty's
 * BoringSSL engine (from its certificate callback, once the ClientHello is read) both ask
 * {@link #chooseEngineServerAlias} per key type with the engine, whose handshake session carries
 * the requested server names; the alias then names the chain and key.
 *
 * <p>What serves which name is the port's {@link CertificateChoice}, compiled per snapshot and
 * {@link #serve swapped} into this key manager (so the context, its session cache and ticket keys,
 * outlives snapshots). The choice before the last swap still resolves aliases, for a handshake
 * that chose just before it.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
    /** The certificate for a handshake's server name (null: the client sent none), or null to refuse it. */
    interface CertificateChoice {
        LoadedCertificate choose(String serverName);

        /** Every certificate this choice can return, by alias. */
        LoadedCertificate byAlias(String alias);
    }

    private static final CertificateChoice NONE = new CertificateChoice() {
        @Override
        public LoadedCertificate choose(String serverName) {
            return null;
        }

        @Override
        public LoadedCertificate byAlias(String alias) {
            return null;
        }
    };

    private volatile CertificateChoice current = NONE;
    private volatile CertificateChoice previous = NONE;

    /** From now on, handshakes take their certificate from {@code choice}. */
    void serve(CertificateChoice choice) {
        if (choice != current) {
            previous = current;
            current = choice;
        }
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        final LoadedCertificate chosen = current.choose(serverName(engine.getHandshakeSession()));
        return chosen != null && chosen.serves(keyType) ? chosen.alias() : null;
    }

    /** The host name the client asked for, or null. */
    private static String serverName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            final List<SNIServerName> names = extended.getRequestedServerNames();
            for (SNIServerName name : names) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                    return name instanceof SNIHostName host ? host.getAsciiName()
                            : new SNIHostName(name.getEncoded()).getAsciiName();
                }
            }
        }
        return null;
    }

    private LoadedCertificate certificate(String alias) {
        if (alias == null) {
            return null;
        }
        final LoadedCertificate c = current.byAlias(alias);
        return c != null ? c : previous.byAlias(alias);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        final LoadedCertificate c = certificate(alias);
        return c != null ? c.chain() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        final LoadedCertificate c = certificate(alias);
        return c != null ? c.key() : null;
    }

    /** Only engines handshake here (Netty), never sockets. */
    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
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
