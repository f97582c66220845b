package io.archway.proxy.tls;

import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.certificate.PemKeyMaterial;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Makes a server context ask for client certificates as a socket's {@link FrontendValidation}
 * says (Gateway spec.tls.frontend), with either TLS provider: the JDK's SSLEngine and BoringSSL
 * both take a TrustManagerFactory and a {@link ClientAuth}.
 *
 * <ul>
 *   <li>AllowValidOnly: {@link ClientAuth#REQUIRE} and the JDK's PKIX trust manager over the CA
 *       certificates: no certificate, or one the CAs do not validate (chain, validity, key usage
 *       and extended key usage clientAuth), fails the handshake.</li>
 *   <li>AllowInsecureFallback: {@link ClientAuth#OPTIONAL} and a trust manager that accepts any
 *       chain: the handshake still sends a CertificateRequest naming the CAs (so a client picks the
 *       right certificate), but a missing or invalid certificate does not fail it. The spec leaves
 *       authorisation to the backend in this mode.</li>
 * </ul>
 */
final class ClientCertificateTrust {
    private ClientCertificateTrust() {
    }

    /** Applies {@code validation} to {@code builder}; nothing when it is null. */
    static void apply(SslContextBuilder builder, FrontendValidation validation) throws GeneralSecurityException {
        if (validation == null) {
            return;
        }
        final X509Certificate[] cas = PemKeyMaterial.certificates(validation.caCertificatesPem());
        final TrustManagerFactory pkix = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        pkix.init(trustStore(cas));
        if (validation.mode() == FrontendValidation.Mode.ALLOW_VALID_ONLY) {
            builder.trustManager(pkix).clientAuth(ClientAuth.REQUIRE);
        } else {
            builder.trustManager(new AcceptingAnyClient(cas)).clientAuth(ClientAuth.OPTIONAL);
        }
    }

    private static KeyStore trustStore(X509Certificate[] cas) throws GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < cas.length; i++) {
            store.setCertificateEntry("ca" + i, cas[i]);
        }
        return store;
    }

    /** AllowInsecureFallback: names the CAs in the CertificateRequest, accepts whatever the client sends. */
    private static final class AcceptingAnyClient extends SimpleTrustManagerFactory {
        private final TrustManager manager;

        AcceptingAnyClient(X509Certificate[] cas) {
            final X509Certificate[] issuers = cas.clone();
            this.manager = new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                    // AllowInsecureFallback: accepted whatever it is.
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                    // AllowInsecureFallback: accepted whatever it is.
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // AllowInsecureFallback: accepted whatever it is.
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("a server context validates clients only");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("a server context validates clients only");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType)
                        throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("a server context validates clients only");
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return issuers.clone();
                }
            };
        }

        @Override
        protected void engineInit(KeyStore keyStore) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters params) {
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {manager};
        }
    }
}
