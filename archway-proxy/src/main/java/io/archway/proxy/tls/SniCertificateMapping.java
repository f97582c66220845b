package io.archway.proxy.tls;

import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.TlsPort;
import io.netty.handler.ssl.SslContext;
import java.security.cert.CertificateParsingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Picks the server certificate for a TLS handshake from its SNI name, for the {@link SniKeyManager}
 * of the port's one {@link SslContext} ({@link ServerContexts}). Built once per snapshot, off the
 * event loop, with every certificate parsed up front; lookups are map reads, as many as the name
 * has labels.
 *
 * <p>Order: a listener whose hostname equals the SNI name; the most specific wildcard listener
 * matching it; a certificate whose subjectAltName covers it, exact before wildcard (for a listener
 * that carries several certificates, or one without hostname); finally the default: the first
 * certificate of the first listener without hostname, else of the first listener (also used when
 * the client sent no SNI).
 */
public final class SniCertificateMapping implements SniKeyManager.CertificateChoice {

    private final Map<String, LoadedCertificate> exact;
    /** By wildcard pattern ({@code *.example.com}). */
    private final Map<String, LoadedCertificate> wildcards;
    /** Hostnames and wildcard patterns of listeners without any certificate: refused, no fallback. */
    private final Set<String> refused;
    private final Map<String, LoadedCertificate> sanExact;
    private final Map<String, LoadedCertificate> sanWildcards;
    private final LoadedCertificate defaultCertificate;
    private final Map<String, LoadedCertificate> byAlias;
    /** The port's context (HTTPS); null for a TLS Terminate listener's, or when none could be built. */
    private SslContext context;

    private SniCertificateMapping(Map<String, LoadedCertificate> exact, Map<String, LoadedCertificate> wildcards,
                                  Set<String> refused, Map<String, LoadedCertificate> sanExact,
                                  Map<String, LoadedCertificate> sanWildcards, LoadedCertificate defaultCertificate) {
        this.exact = exact;
        this.wildcards = wildcards;
        this.refused = refused;
        this.sanExact = sanExact;
        this.sanWildcards = sanWildcards;
        this.defaultCertificate = defaultCertificate;
        final Map<String, LoadedCertificate> byAlias = new HashMap<>();
        for (Map<String, LoadedCertificate> m : List.of(exact, wildcards, sanExact, sanWildcards)) {
            for (LoadedCertificate c : m.values()) {
                byAlias.put(c.alias(), c);
            }
        }
        if (defaultCertificate != null) {
            byAlias.put(defaultCertificate.alias(), defaultCertificate);
        }
        this.byAlias = Map.copyOf(byAlias);
    }

    /**
     * The mapping of the HTTPS socket {@code socket}: its listeners' certificates, served by the
     * port's context (ALPN offering h2 and http/1.1, asking for the socket's client certificates).
     */
    public static SniCertificateMapping forHttps(SocketKey socket, HttpPort port, ServerContexts contexts) {
        final List<ListenerEntry> listeners = port.listeners();
        final List<Certified> certified = new ArrayList<>(listeners.size());
        for (ListenerEntry l : listeners) {
            certified.add(new Certified(l.hostname(), contexts.forListener(l.origin(), l.certificates())));
        }
        final SniCertificateMapping mapping = build(certified);
        final FrontendValidation validation = port.clientValidation();
        mapping.context = mapping.hasDefault()
                ? contexts.forPort(socket, ServerContexts.Alpn.HTTP, validation, mapping) : null;
        return mapping;
    }

    /**
     * The mapping of one TLS Terminate listener: its certificates (the SNI already chose the
     * listener); its port's context serves them ({@link TlsRoutes}).
     */
    static SniCertificateMapping forTlsListener(TlsPort.TlsListener listener, ServerContexts contexts) {
        return build(List.of(new Certified(null, contexts.forListener(listener.origin(), listener.certificates()))));
    }

    /** A listener's hostname and the certificates it presents. */
    private record Certified(String hostname, List<ServerContexts.Served> certificates) {
    }

    private static SniCertificateMapping build(List<Certified> listeners) {
        final Map<String, LoadedCertificate> exact = new HashMap<>();
        final Map<String, LoadedCertificate> wildcards = new HashMap<>();
        final Map<String, LoadedCertificate> sanExact = new HashMap<>();
        final Map<String, LoadedCertificate> sanWildcards = new HashMap<>();
        LoadedCertificate first = null;
        LoadedCertificate catchAll = null;
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
            final LoadedCertificate preferred = listener.certificates().get(0).certificate();
            for (ServerContexts.Served served : listener.certificates()) {
                indexSubjectAltNames(served.certificate(), sanExact, sanWildcards);
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

    private static void indexSubjectAltNames(LoadedCertificate ctx, Map<String, LoadedCertificate> exact,
                                             Map<String, LoadedCertificate> wildcards) {
        try {
            final Collection<List<?>> sans = ctx.leaf().getSubjectAlternativeNames();
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
        } catch (CertificateParsingException e) {
            // SANs are only a fallback: a certificate without parsable ones is found by listener name.
        }
    }

    /**
     * The certificate for a handshake's server name; the default without one; null (the handshake
     * fails) when the listener for that name has no certificate. Map reads only (as many as the
     * name has labels), whatever the number of certificates.
     */
    @Override
    public LoadedCertificate choose(String sniHostname) {
        if (sniHostname == null || sniHostname.isEmpty()) {
            return defaultCertificate;
        }
        final String host = Hostnames.normalizeHost(sniHostname);
        LoadedCertificate ctx = exact.get(host);
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
        return ctx != null ? ctx : defaultCertificate;
    }

    @Override
    public LoadedCertificate byAlias(String alias) {
        return byAlias.get(alias);
    }

    /** Every certificate this mapping can choose, by alias. */
    Map<String, LoadedCertificate> byAlias() {
        return byAlias;
    }

    /**
     * The HTTPS port's context when a certificate serves {@code sniHostname} (its
     * {@link SniKeyManager} then picks that certificate); null to refuse the handshake.
     */
    public SslContext contextFor(String sniHostname) {
        return context != null && choose(sniHostname) != null ? context : null;
    }

    /** Whether any certificate could be loaded; an HTTPS port without one fails every handshake. */
    public boolean hasDefault() {
        return defaultCertificate != null;
    }
}
