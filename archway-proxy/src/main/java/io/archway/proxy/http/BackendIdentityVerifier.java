package io.archway.proxy.http;

import io.archway.snapshot.BackendTls;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies a TLS backend as its BackendTLSPolicy says (BackendTLSPolicyValidation): the chain
 * against the policy's CA certificates (or the JDK's default trust store for
 * {@code wellKnownCACertificates: System}), then the identity: one of {@code subjectAltNames} when
 * the policy lists any (a Hostname entry against the certificate's DNS SANs, a URI entry against
 * its URI SANs, exactly), else {@code hostname} against the DNS SANs. A DNS SAN may be a wildcard
 * covering exactly one leftmost label (RFC 6125 section 6.4.3). The subject's CN is not consulted
 * (RFC 6125 section 6.4.4: not when DNS SANs are present, and Go's verifier never does).
 *
 * <p>It verifies only servers: the gateway is always the client of a backend.
 */
final class BackendIdentityVerifier extends X509ExtendedTrustManager {
    /** GeneralName tags (RFC 5280 section 4.2.1.6). */
    private static final int DNS_NAME = 2;
    private static final int URI = 6;

    private final X509TrustManager chain;
    private final BackendTls policy;

    BackendIdentityVerifier(BackendTls policy) throws GeneralSecurityException {
        this.policy = policy;
        this.chain = chainVerifier(policy);
    }

    private static X509TrustManager chainVerifier(BackendTls policy) throws GeneralSecurityException {
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (policy.caCertificatesPem() == null) {
            factory.init((KeyStore) null); // the JDK's cacerts
        } else {
            final KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                anchors.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            int i = 0;
            for (X509Certificate ca : io.archway.snapshot.certificate.PemKeyMaterial.certificates(policy.caCertificatesPem())) {
                anchors.setCertificateEntry("ca-" + i++, ca);
            }
            if (policy.systemTrust()) {
                final TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                system.init((KeyStore) null);
                for (X509Certificate ca : firstX509(system.getTrustManagers()).getAcceptedIssuers()) {
                    anchors.setCertificateEntry("system-" + i++, ca);
                }
            }
            factory.init(anchors);
        }
        return firstX509(factory.getTrustManagers());
    }

    private static X509TrustManager firstX509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
        // The chain alone: the JDK's endpoint identification is not asked for (no SSLEngine given).
        chain.checkServerTrusted(certificates, authType);
        checkIdentity(certificates[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(certificates, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(certificates, authType);
    }

    /** The leaf carries the name the policy asks for; else why not. */
    void checkIdentity(X509Certificate leaf) throws CertificateException {
        final List<BackendTls.SubjectAltName> wanted = policy.subjectAltNames().isEmpty()
                ? List.of(new BackendTls.SubjectAltName(BackendTls.SubjectAltName.Type.HOSTNAME, policy.hostname()))
                : policy.subjectAltNames();
        final Collection<List<?>> sans = subjectAltNames(leaf);
        for (BackendTls.SubjectAltName w : wanted) {
            for (List<?> san : sans) {
                if (san.size() < 2 || !(san.get(1) instanceof String value)) {
                    continue;
                }
                final int tag = (Integer) san.get(0);
                if (w.type() == BackendTls.SubjectAltName.Type.HOSTNAME && tag == DNS_NAME && dnsMatches(value, w.value())
                        || w.type() == BackendTls.SubjectAltName.Type.URI && tag == URI && value.equals(w.value())) {
                    return;
                }
            }
        }
        throw new CertificateException("the backend's certificate (" + leaf.getSubjectX500Principal().getName()
                + ", SANs " + sans + ") matches none of " + wanted + " (BackendTLSPolicy " + policy.policy() + ")");
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate leaf) throws CertificateParsingException {
        final Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        return sans == null ? List.of() : sans;
    }

    /** A DNS SAN against a name: case-insensitive, {@code *.} covering exactly one leftmost label. */
    static boolean dnsMatches(String san, String name) {
        final String pattern = san.toLowerCase(Locale.ROOT);
        final String host = name.toLowerCase(Locale.ROOT);
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        final int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
        throw new CertificateException("a backend verifier does not verify clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(certificates, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(certificates, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }
}
