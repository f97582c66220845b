package io.archway.proxy.tls;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.certificate.PemKeyMaterial;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.TlsPort;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Picks the server certificate for a TLS handshake from its SNI name. Built once per snapshot, off
 * the event loop, with every {@link SslContext} created up front ({@link ServerContexts}); lookups
 * are map reads and a scan of the wildcard patterns.
 *
 * <p>Order: a listener whose hostname equals the SNI name; the most specific wildcard listener
 * matching it; a certificate whose subjectAltName covers it, exact before wildcard (for a listener
 * that carries several certificates, or one without hostname); finally the default: the first
 * certificate of the first listener without hostname, else of the first listener (also used when
 * the client sent no SNI).
 */
public final class SniCertificateMapping implements Mapping<String, SslContext> {
    /** TLS 1.2 and 1.3 only: older versions are broken (RFC 8996). */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final Map<String, SslContext> exact;
    /** By wildcard pattern ({@code *.example.com}). */
    private final Map<String, SslContext> wildcards;
    /** Hostnames and wildcard patterns of listeners without any certificate: refused, no fallback. */
    private final Set<String> refused;
    private final Map<String, SslContext> sanExact;
    private final Map<String, SslContext> sanWildcards;
    private final SslContext defaultContext;

    private SniCertificateMapping(Map<String, SslContext> exact, Map<String, SslContext> wildcards,
                                  Set<String> refused, Map<String, SslContext> sanExact,
                                  Map<String, SslContext> sanWildcards, SslContext defaultContext) {
        this.exact = exact;
        this.wildcards = wildcards;
        this.refused = refused;
        this.sanExact = sanExact;
        this.sanWildcards = sanWildcards;
        this.defaultContext = defaultContext;
    }

    /**
     * The mapping of an HTTPS socket: its listeners' certificates, ALPN offering h2 and http/1.1,
     * each context asking for the socket's client certificates.
     */
    public static SniCertificateMapping forHttps(HttpPort port, ServerContexts contexts) {
        final List<ListenerEntry> listeners = port.listeners();
        final List<Certified> certified = new ArrayList<>(listeners.size());
        for (ListenerEntry l : listeners) {
            certified.add(new Certified(l.hostname(), contexts.forListener(l.origin(), l.certificates(),
                    ServerContexts.Alpn.HTTP, port.clientValidation())));
        }
        return build(certified);
    }

    /**
     * The mapping of one TLS Terminate listener: its certificates (the SNI already chose the
     * listener), no ALPN.
     */
    public static SniCertificateMapping forTlsListener(TlsPort.TlsListener listener, ServerContexts contexts) {
        return build(List.of(new Certified(null, contexts.forListener(listener.origin(), listener.certificates(),
                ServerContexts.Alpn.NONE, null))));
    }

    /** A listener's hostname and the certificates it presents. */
    private record Certified(String hostname, List<ServerContexts.Served> certificates) {
    }

    private static SniCertificateMapping build(List<Certified> listeners) {
        final Map<String, SslContext> exact = new HashMap<>();
        final Map<String, SslContext> wildcards = new HashMap<>();
        final Map<String, SslContext> sanExact = new HashMap<>();
        final Map<String, SslContext> sanWildcards = new HashMap<>();
        SslContext first = null;
        SslContext catchAll = null;
        final Set<String> refused = new HashSet<>();
        for (Certified listener : listeners) {
            if (listener.certificates().isEmpty()) {
                // No valid certificate and no last good one: its names get no other listener's
                // certificate either (the handshake fails), as its requests would reach its routes.
                if (listener.hostname() != null && !listener.hostname().equals("*")) {
                    refused.add(listener.hostname().toLowerCase(Locale.ROOT));
                }
                continue;
            }
            final SslContext preferred = listener.certificates().get(0).context();
            for (ServerContexts.Served served : listener.certificates()) {
                indexSubjectAltNames(served.bundle(), served.context(), sanExact, sanWildcards);
            }
            if (first == null) {
                first = preferred;
            }
            final String hostname = listener.hostname();
            if (hostname == null || hostname.equals("*")) {
                if (catchAll == null) {
                    catchAll = preferred;
                }
                continue;
            }
            final String key = hostname.toLowerCase(Locale.ROOT);
            if (key.startsWith("*.")) {
                wildcards.putIfAbsent(key, preferred);
            } else {
                exact.putIfAbsent(key, preferred);
            }
        }
        refused.removeAll(exact.keySet());
        refused.removeAll(wildcards.keySet());
        return new SniCertificateMapping(Map.copyOf(exact), Map.copyOf(wildcards), Set.copyOf(refused),
                Map.copyOf(sanExact), Map.copyOf(sanWildcards), catchAll != null ? catchAll : first);
    }

    /**
     * A server SslContext for one bundle, by the {@link TlsProvider#selected() selected provider}:
     * TLS 1.2 and 1.3 only (renegotiation does not exist in 1.3
     * and the JDK refuses client-initiated renegotiation by default); for {@link ServerContexts.Alpn#HTTP}
     * ALPN offers h2, then HTTP/1.1; client certificates as {@code clientValidation} says
     * ({@link ClientCertificateTrust}; null: none asked for).
     */
    public static SslContext newServerContext(CertificateBundle bundle, ServerContexts.Alpn alpn,
                                              FrontendValidation clientValidation)
            throws GeneralSecurityException, SSLException {
        final X509Certificate[] chain = PemKeyMaterial.certificates(bundle.certificateChainPem());
        final PrivateKey key = PemKeyMaterial.privateKey(bundle.privateKeyPem());
        final SslProvider provider = alpn == ServerContexts.Alpn.NONE ? TlsProvider.forByteStreams()
                : TlsProvider.selected();
        // BoringSSL takes the key and chain as they are; the JDK gets them through a key manager of
        // its own (see CertificateKeyManager).
        final SslContextBuilder builder = (provider == SslProvider.JDK
                ? SslContextBuilder.forServer(new CertificateKeyManager(chain, key))
                : SslContextBuilder.forServer(key, chain)).sslProvider(provider).protocols(PROTOCOLS);
        if (alpn == ServerContexts.Alpn.HTTP) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        ClientCertificateTrust.apply(builder, clientValidation);
        return builder.build();
    }

    private static void indexSubjectAltNames(CertificateBundle bundle, SslContext ctx, Map<String, SslContext> exact,
                                             Map<String, SslContext> wildcards) {
        try {
            final X509Certificate leaf = PemKeyMaterial.certificates(bundle.certificateChainPem())[0];
            final Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans == null) {
                return;
            }
            for (List<?> san : sans) {
                // GeneralName type 2 is dNSName (RFC 5280 section 4.2.1.6).
                if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String name) {
                    final String key = name.toLowerCase(Locale.ROOT);
                    if (key.startsWith("*.")) {
                        wildcards.putIfAbsent(key, ctx);
                    } else {
                        exact.putIfAbsent(key, ctx);
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            // Already logged when the context was built; SANs are only a fallback.
        }
    }

    /**
     * The context for a handshake's server name; the default without one; null (the handshake
     * fails) when the listener for that name has no certificate. Map reads only (as many as the
     * name has labels), whatever the number of certificates.
     */
    @Override
    public SslContext map(String sniHostname) {
        if (sniHostname == null || sniHostname.isEmpty()) {
            return defaultContext;
        }
        final String host = Hostnames.normalizeHost(sniHostname);
        SslContext ctx = exact.get(host);
        if (ctx != null || refused.contains(host)) {
            return ctx;
        }
        // A listener's wildcard covers one label or more (Listener.hostname): the longest
        // matching suffix is the most specific.
        for (int dot = host.indexOf('.'); dot > 0 && dot < host.length() - 1; dot = host.indexOf('.', dot + 1)) {
            final String pattern = "*" + host.substring(dot);
            ctx = wildcards.get(pattern);
            if (ctx != null || refused.contains(pattern)) {
                return ctx;
            }
        }
        ctx = sanExact.get(host);
        if (ctx != null) {
            return ctx;
        }
        // A certificate's wildcard covers exactly one label (RFC 6125 section 6.4.3).
        final int dot = host.indexOf('.');
        ctx = dot > 0 && dot < host.length() - 1 ? sanWildcards.get("*" + host.substring(dot)) : null;
        return ctx != null ? ctx : defaultContext;
    }

    /** Whether any certificate could be loaded; an HTTPS port without one fails every handshake. */
    public boolean hasDefault() {
        return defaultContext != null;
    }
}
