package io.archway.proxy.tls;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.ListenerEntry;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.Mapping;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the server certificate for a TLS handshake from its SNI name. Built once per snapshot, off
 * the event loop, with every {@link SslContext} created up front; lookups are plain map reads.
 *
 * <p>Order: a listener whose hostname equals the SNI name; the most specific wildcard listener
 * matching it; a certificate whose subjectAltName covers it (for a listener without hostname that
 * carries several certificates); finally the default, the first listener's first certificate
 * (also used when the client sent no SNI).
 */
public final class SniCertificateMapping implements Mapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SniCertificateMapping.class);

    private final Map<String, SslContext> exact;
    /** Wildcard patterns, most specific first. */
    private final List<Map.Entry<String, SslContext>> wildcards;
    private final Map<String, SslContext> sanExact;
    private final List<Map.Entry<String, SslContext>> sanWildcards;
    private final SslContext defaultContext;
    private final Map<CertificateBundle, SslContext> contexts;

    private SniCertificateMapping(Map<String, SslContext> exact, List<Map.Entry<String, SslContext>> wildcards,
                                  Map<String, SslContext> sanExact, List<Map.Entry<String, SslContext>> sanWildcards,
                                  SslContext defaultContext, Map<CertificateBundle, SslContext> contexts) {
        this.contexts = contexts;
        this.exact = exact;
        this.wildcards = wildcards;
        this.sanExact = sanExact;
        this.sanWildcards = sanWildcards;
        this.defaultContext = defaultContext;
    }

    /**
     * Builds the mapping for the listeners of one port. A certificate that does not parse is
     * logged and skipped; the translator reports invalid certificate refs in status.
     *
     * @param cache SslContexts already built for this snapshot, by bundle
     */
    public static SniCertificateMapping build(List<ListenerEntry> listeners, Map<CertificateBundle, SslContext> cache,
                                              Map<CertificateBundle, SslContext> previous) {
        final Map<String, SslContext> exact = new HashMap<>();
        final Map<String, SslContext> wildcards = new LinkedHashMap<>();
        final Map<String, SslContext> sanExact = new HashMap<>();
        final Map<String, SslContext> sanWildcards = new LinkedHashMap<>();
        SslContext defaultContext = null;
        for (ListenerEntry listener : listeners) {
            SslContext first = null;
            for (CertificateBundle bundle : listener.certificates()) {
                final SslContext ctx = context(bundle, cache, previous);
                if (ctx == null) {
                    continue;
                }
                if (first == null) {
                    first = ctx;
                }
                indexSubjectAltNames(bundle, ctx, sanExact, sanWildcards);
            }
            if (first == null) {
                continue;
            }
            if (defaultContext == null) {
                defaultContext = first;
            }
            final String hostname = listener.hostname();
            if (hostname == null || hostname.equals("*")) {
                continue;
            }
            final String key = hostname.toLowerCase(Locale.ROOT);
            if (key.startsWith("*.")) {
                wildcards.putIfAbsent(key, first);
            } else {
                exact.putIfAbsent(key, first);
            }
        }
        final Map<CertificateBundle, SslContext> used = new HashMap<>();
        for (ListenerEntry listener : listeners) {
            for (CertificateBundle bundle : listener.certificates()) {
                final SslContext ctx = cache.get(bundle);
                if (ctx != null) {
                    used.put(bundle, ctx);
                }
            }
        }
        return new SniCertificateMapping(Map.copyOf(exact), sortBySpecificity(wildcards), Map.copyOf(sanExact),
                sortBySpecificity(sanWildcards), defaultContext, Map.copyOf(used));
    }

    private static List<Map.Entry<String, SslContext>> sortBySpecificity(Map<String, SslContext> patterns) {
        final List<Map.Entry<String, SslContext>> list = new ArrayList<>(patterns.entrySet());
        list.sort((a, b) -> Integer.compare(Hostnames.specificity(b.getKey()), Hostnames.specificity(a.getKey())));
        return List.copyOf(list);
    }

    private static SslContext context(CertificateBundle bundle, Map<CertificateBundle, SslContext> cache,
                                      Map<CertificateBundle, SslContext> previous) {
        SslContext cached = cache.get(bundle);
        if (cached == null) {
            cached = previous.get(bundle);
            if (cached != null) {
                cache.put(bundle, cached);
            }
        }
        if (cached != null) {
            return cached;
        }
        try {
            final SslContext ctx = newServerContext(bundle);
            cache.put(bundle, ctx);
            return ctx;
        } catch (GeneralSecurityException | SSLException | RuntimeException e) {
            LOG.warn("Skipping certificate {}: {}", bundle.source(), e.toString());
            return null;
        }
    }

    /** A server SslContext for one bundle; ALPN offers h2, then HTTP/1.1. */
    public static SslContext newServerContext(CertificateBundle bundle) throws GeneralSecurityException, SSLException {
        final X509Certificate[] chain = PemKeyMaterial.certificates(bundle.certificateChainPem());
        final PrivateKey key = PemKeyMaterial.privateKey(bundle.privateKeyPem());
        return SslContextBuilder.forServer(key, chain)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
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

    @Override
    public SslContext map(String sniHostname) {
        if (sniHostname == null || sniHostname.isEmpty()) {
            return defaultContext;
        }
        final String host = Hostnames.normalizeHost(sniHostname);
        SslContext ctx = exact.get(host);
        if (ctx != null) {
            return ctx;
        }
        ctx = firstMatch(wildcards, host);
        if (ctx != null) {
            return ctx;
        }
        ctx = sanExact.get(host);
        if (ctx != null) {
            return ctx;
        }
        ctx = firstMatch(sanWildcards, host);
        return ctx != null ? ctx : defaultContext;
    }

    private static SslContext firstMatch(List<Map.Entry<String, SslContext>> patterns, String host) {
        for (int i = 0; i < patterns.size(); i++) {
            if (Hostnames.matches(patterns.get(i).getKey(), host)) {
                return patterns.get(i).getValue();
            }
        }
        return null;
    }

    /** The contexts this mapping serves, by bundle; the next snapshot reuses unchanged ones. */
    public Map<CertificateBundle, SslContext> contexts() {
        return contexts;
    }

    /** Whether any certificate could be loaded; an HTTPS port without one fails every handshake. */
    public boolean hasDefault() {
        return defaultContext != null;
    }
}
