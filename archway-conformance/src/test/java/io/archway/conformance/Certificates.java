package io.archway.conformance;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The certificates the upstream suite creates at set-up ({@code ConformanceTestSuite.Setup},
 * {@code conformance/utils/kubernetes/certificate.go}), generated with BouncyCastle: the same
 * subjects, SANs (a host that is not a valid DNS name, such as {@code *}, becomes a URI SAN, as in
 * Go), key usages, and PKCS#1 "RSA PRIVATE KEY" PEM keys.
 */
final class Certificates {
    /** A generated certificate with its key. */
    record Issued(X509Certificate certificate, PrivateKey key, String certPem, String keyPem) {
    }

    /** A Secret or ConfigMap to be written into the configuration directory. */
    record Resource(String kind, String namespace, String name, Map<String, String> data) {
        String toYaml() {
            StringBuilder sb = new StringBuilder();
            sb.append("apiVersion: v1\nkind: ").append(kind).append("\nmetadata:\n  name: ").append(name)
                    .append("\n  namespace: ").append(namespace).append('\n');
            if (kind.equals("Secret")) {
                sb.append("type: kubernetes.io/tls\ndata:\n");
                data.forEach((k, v) -> sb.append("  ").append(k).append(": ")
                        .append(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))).append('\n'));
            } else {
                sb.append("data:\n");
                data.forEach((k, v) -> {
                    sb.append("  ").append(k).append(": |\n");
                    v.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
                });
            }
            return sb.toString();
        }
    }

    static final String INFRA = "gateway-conformance-infra";
    static final String APP = "gateway-conformance-app-backend";
    static final String WEB = "gateway-conformance-web-backend";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean pkcs8;
    private final List<Resource> resources = new ArrayList<>();
    private final Map<String, Issued> secrets = new LinkedHashMap<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<KeyPair> keys = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048, RANDOM);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Certificates(boolean pkcs8) {
        this.pkcs8 = pkcs8;
    }

    /** Everything {@code ConformanceTestSuite.Setup} creates (conformance.md 3.2). */
    static Certificates upstreamSetup(boolean pkcs8) {
        Certificates c = new Certificates(pkcs8);
        // 2048-bit RSA key generation dominates; do the 16 keys in parallel up front
        java.util.stream.IntStream.range(0, 16).parallel().mapToObj(i -> newKeyPair()).forEach(c.keys::add);
        c.selfSignedSecret(WEB, "certificate", List.of("*"));
        c.selfSignedSecret(INFRA, "tls-validity-checks-certificate", List.of("*", "*.org", "*.wildcard.org"));
        c.caConfigMap(WEB, "web-backend-cm");
        Issued ca = c.caConfigMap(INFRA, "tls-validity-checks-ca-certificate");
        c.signedSecret(INFRA, "tls-validity-checks-client-certificate", List.of(), ca, true);
        ca = c.caConfigMap(INFRA, "tls-validity-checks-per-port-ca-certificate");
        c.signedSecret(INFRA, "tls-validity-checks-per-port-client-certificate", List.of(), ca, true);
        ca = c.caConfigMap(INFRA, "tls-checks-ca-certificate");
        c.signedSecret(INFRA, "tls-checks-certificate",
                List.of("abc.example.com", "spiffe://abc.example.com/test-identity", "other.example.com"), ca, false);
        c.signedSecret(INFRA, "tls-checks-client-certificate", List.of(), ca, true);
        c.signedSecret(INFRA, "tls-passthrough-checks-certificate", List.of("abc.example.com"), ca, false);
        c.signedSecret(APP, "tls-passthrough-checks-certificate", List.of("abc.example.com"), ca, false);
        c.signedSecret(INFRA, "tls-terminate-checks-certificate", List.of("tls.example.com"), ca, false);
        c.caConfigMap(INFRA, "mismatch-ca-certificate");
        return c;
    }

    List<Resource> resources() {
        return List.copyOf(resources);
    }

    /** The Secret's certificate, keyed by namespace/name. */
    Issued secret(String namespace, String name) {
        Issued issued = secrets.get(namespace + "/" + name);
        if (issued == null) {
            throw new IllegalArgumentException("no generated secret " + namespace + "/" + name);
        }
        return issued;
    }

    /** The certificate of a generated ConfigMap ({@code ca.crt}), keyed by namespace/name. */
    Issued configMap(String namespace, String name) {
        Issued issued = secrets.get("configmap:" + namespace + "/" + name);
        if (issued == null) {
            throw new IllegalArgumentException("no generated ConfigMap " + namespace + "/" + name);
        }
        return issued;
    }

    /**
     * A JSSE server context presenting {@code issued} as a Go server given its tls.crt and tls.key
     * does (tls.X509KeyPair: the chain is the PEM's certificates, here the leaf alone).
     */
    static javax.net.ssl.SSLContext serverContext(Issued issued) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "archway".toCharArray();
            ks.setKeyEntry("server", issued.key(), pw, new java.security.cert.Certificate[] {issued.certificate()});
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory
                    .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same for the Netty echo server (echo-basic's HTTPS port: TLS 1.2 and 1.3, no client certificate asked). */
    static io.netty.handler.ssl.SslContext nettyServerContext(Issued issued) {
        return nettyServerContext(issued, null);
    }

    /**
     * As {@link #nettyServerContext(Issued)}; with {@code clientCa} set, a client certificate is
     * verified against it when given and none is required (Go's tls.VerifyClientCertIfGiven, what
     * echo-basic does when TLS_CLIENT_CACERTS is set).
     */
    static io.netty.handler.ssl.SslContext nettyServerContext(Issued issued, X509Certificate clientCa) {
        try {
            io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder
                    .forServer(issued.key(), issued.certificate()).protocols("TLSv1.3", "TLSv1.2");
            if (clientCa != null) {
                b.trustManager(clientCa).clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every generated certificate (leaves and CAs): the harness's HTTPS client trusts these. */
    List<X509Certificate> allCertificates() {
        List<X509Certificate> all = new ArrayList<>();
        secrets.values().forEach(i -> all.add(i.certificate()));
        return all;
    }

    String yaml() {
        StringBuilder sb = new StringBuilder();
        for (Resource r : resources) {
            if (sb.length() > 0) {
                sb.append("---\n");
            }
            sb.append(r.toYaml());
        }
        return sb.toString();
    }

    Issued selfSignedSecret(String namespace, String name, List<String> hosts) {
        Issued issued = issue(hosts, null, false, false);
        addSecret(namespace, name, issued);
        return issued;
    }

    Issued signedSecret(String namespace, String name, List<String> hosts, Issued ca, boolean client) {
        Issued issued = issue(hosts, ca, false, client);
        addSecret(namespace, name, issued);
        return issued;
    }

    Issued caConfigMap(String namespace, String name) {
        Issued ca = issue(List.of(), null, true, false);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("ca.crt", ca.certPem());
        data.put("key.crt", ca.keyPem());
        resources.add(new Resource("ConfigMap", namespace, name, data));
        secrets.put("configmap:" + namespace + "/" + name, ca);
        return ca;
    }

    private void addSecret(String namespace, String name, Issued issued) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", issued.certPem());
        data.put("tls.key", issued.keyPem());
        resources.add(new Resource("Secret", namespace, name, data));
        secrets.put(namespace + "/" + name, issued);
    }

    /** Mirrors generateRSACert / generateCACert. */
    Issued issue(List<String> hosts, Issued ca, boolean isCa, boolean client) {
        try {
            KeyPair pooled = keys.poll();
            KeyPair kp = pooled != null ? pooled : newKeyPair();
            Instant now = Instant.now();
            X500Name subject = isCa ? new X500Name("C=US,O=Kubernetes Gateway API,CN=gatewayapi")
                    : new X500Name("O=Acme Co,CN=default");
            X500Name issuer = ca == null ? subject
                    : X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            BigInteger serial = isCa ? BigInteger.valueOf(2024) : new BigInteger(128, RANDOM);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(365))),
                    subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
            } else {
                b.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
            }
            List<GeneralName> names = new ArrayList<>();
            for (String h : hosts) {
                if (h.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                    names.add(new GeneralName(GeneralName.iPAddress, h));
                } else if (validDnsHost(h)) {
                    names.add(new GeneralName(GeneralName.dNSName, h));
                } else {
                    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, h));
                }
            }
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            PrivateKey signingKey = ca == null ? kp.getPrivate() : ca.key();
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(signingKey);
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new Issued(cert, kp.getPrivate(), pem("CERTIFICATE", cert.getEncoded()), keyPem(kp.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("certificate generation failed", e);
        }
    }

    private String keyPem(PrivateKey key) throws IOException {
        if (pkcs8) {
            return pem("PRIVATE KEY", key.getEncoded());
        }
        byte[] pkcs1 = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        return pem("RSA PRIVATE KEY", pkcs1);
    }

    static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** certificate.go validateHost: DNS-1123 subdomain after stripping a leading "*.". */
    static boolean validDnsHost(String host) {
        String h = host.startsWith("*.") ? host.substring(2) : host;
        if (h.isEmpty() || h.length() > 253) {
            return false;
        }
        for (String label : h.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
