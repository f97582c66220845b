package io.archway.proxy.tls;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.SocketKey;
import io.archway.snapshot.certificate.CertificateCheck;
import io.archway.snapshot.certificate.PemKeyMaterial;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS server state of one compiled snapshot: one {@link SslContext} per listening port that
 * terminates TLS, the certificates each terminating listener presents, and each listener's last
 * good certificates. Built off the event loop while a snapshot compiles; read-only afterwards.
 *
 * <p><b>One context per port, not per certificate.</b> A port's context carries what is the same
 * for every handshake on it: the provider, TLS 1.2 and 1.3, ALPN ({@link Alpn}) and the client
 * certificates asked for (Gateway spec.tls.frontend is per port). The certificate is chosen during
 * the handshake by the server name, by the context's {@link SniKeyManager}. At 10,000 certificates
 * a context per certificate held most of the heap and RSS (docs/PERFORMANCE.md); a certificate is
 * now its parsed chain and key. The context is reused from the previous snapshot while that port's
 * settings are unchanged, with the new snapshot's certificates swapped into its key manager when
 * the snapshot compiles: its session cache and ticket keys survive certificate and route changes.
 * A parsed certificate is reused while its bundle is unchanged.
 *
 * <p><b>Last good certificates.</b> When a listener's certificates are all unusable in a new
 * snapshot (the translator leaves them out when the Secret's data is broken, or a bundle fails to
 * load here), the listener keeps presenting the certificates it presented in the previous
 * snapshot. That memory lives here, in the data plane, and not in the translator or the rebuild
 * loop: the translator is a pure function of the resources (it reports the broken Secret in
 * status, ResolvedRefs=False, but cannot remember what was served before), and only the data
 * plane knows what it actually presented, including bundles the translator accepted that failed
 * to load. The memory is keyed by the listener ({@link ListenerOrigin}), so a broken Secret
 * affects only the listeners that reference it, and it lasts as long as the listener stays in the
 * snapshots (a listener removed and re-added starts without one).
 */
public final class ServerContexts {
    private static final Logger LOG = LoggerFactory.getLogger(ServerContexts.class);
    private static final ServerContexts NONE = new ServerContexts(Map.of(), Map.of(), Map.of());
    /** TLS 1.2 and 1.3 only: older versions are broken (RFC 8996). */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /**
     * BoringSSL: native key material (chain and key) kept per alias for this many certificates a
     * port has served; beyond, a handshake converts its certificate again (tens of microseconds).
     */
    private static final int NATIVE_KEY_MATERIAL_CACHE = 1024;

    /** Which application protocols a port's context offers by ALPN. */
    public enum Alpn {
        /** HTTPS listeners: h2, then http/1.1. */
        HTTP,
        /** TLS Terminate listeners: a byte stream, no ALPN. */
        NONE
    }

    /** A certificate presented by a listener. */
    record Served(CertificateBundle bundle, LoadedCertificate certificate) {
    }

    /** @param clientValidation the client certificates the handshake asks for; null for none */
    private record PortKey(SocketKey socket, Alpn alpn, FrontendValidation clientValidation, SslProvider provider) {
    }

    /** A port's context and the key manager that picks its certificates. */
    record PortContext(SslContext context, SniKeyManager keyManager) {
    }

    private final Map<CertificateBundle, LoadedCertificate> previousLoaded;
    private final Map<ListenerOrigin, List<Served>> previousServed;
    private final Map<PortKey, PortContext> previousPorts;
    private final Map<CertificateBundle, LoadedCertificate> loaded = new HashMap<>();
    private final Map<ListenerOrigin, List<Served>> served = new HashMap<>();
    private final Map<PortKey, PortContext> ports = new HashMap<>();

    private ServerContexts(Map<CertificateBundle, LoadedCertificate> previousLoaded,
                           Map<ListenerOrigin, List<Served>> previousServed, Map<PortKey, PortContext> previousPorts) {
        this.previousLoaded = previousLoaded;
        this.previousServed = previousServed;
        this.previousPorts = previousPorts;
    }

    /** For the first snapshot: nothing to reuse. */
    public static ServerContexts none() {
        return NONE;
    }

    /** For the snapshot compiled after the one {@code previous} belongs to. */
    public static ServerContexts after(ServerContexts previous) {
        return new ServerContexts(Map.copyOf(previous.loaded), Map.copyOf(previous.served), Map.copyOf(previous.ports));
    }

    /**
     * The certificates {@code listener} presents: those of {@code bundles} that load, in order; when
     * none does (or there is none), the ones it presented in the previous snapshot, if any.
     */
    List<Served> forListener(ListenerOrigin listener, List<CertificateBundle> bundles) {
        Objects.requireNonNull(listener, "listener");
        final List<Served> out = new ArrayList<>(bundles.size());
        for (CertificateBundle bundle : bundles) {
            final LoadedCertificate certificate = load(bundle);
            if (certificate != null) {
                out.add(new Served(bundle, certificate));
            }
        }
        if (out.isEmpty()) {
            final List<Served> lastGood = previousServed.getOrDefault(listener, List.of());
            if (!lastGood.isEmpty()) {
                LOG.warn("listener {}: no valid certificate in this snapshot; still presenting its last good one ({})",
                        listener, lastGood.get(0).bundle().source());
            }
            for (Served s : lastGood) {
                loaded.put(s.bundle(), s.certificate());
                out.add(s);
            }
        }
        final List<Served> result = List.copyOf(out);
        if (!result.isEmpty()) {
            served.put(listener, result);
        }
        return result;
    }

    /** The parsed certificate of one bundle: parsed here, or reused; null (logged) when it does not load. */
    private LoadedCertificate load(CertificateBundle bundle) {
        LoadedCertificate certificate = loaded.get(bundle);
        if (certificate != null) {
            return certificate;
        }
        certificate = previousLoaded.get(bundle);
        if (certificate == null) {
            // The translator reports a broken pair in status; this guards snapshots built
            // elsewhere (a handshake would present a certificate its key does not match).
            final String problem = CertificateCheck.problem(bundle.certificateChainPem(), bundle.privateKeyPem(), null);
            if (problem != null) {
                LOG.warn("Skipping certificate {}: {}", bundle.source(), problem);
                return null;
            }
            try {
                certificate = new LoadedCertificate(bundle, PemKeyMaterial.certificates(bundle.certificateChainPem()),
                        PemKeyMaterial.privateKey(bundle.privateKeyPem()));
            } catch (GeneralSecurityException | RuntimeException e) {
                LOG.warn("Skipping certificate {}: {}", bundle.source(), e.toString());
                return null;
            }
        }
        loaded.put(bundle, certificate);
        return certificate;
    }

    /**
     * The context of the port {@code socket}, serving {@code choice}'s certificates from now on:
     * the previous snapshot's when the port's settings are unchanged, else a new one; null (logged)
     * when none can be built.
     *
     * @param clientValidation the client certificates the port asks for (null: none)
     */
    SslContext forPort(SocketKey socket, Alpn alpn, FrontendValidation clientValidation,
                       SniKeyManager.CertificateChoice choice) {
        final SslProvider provider = alpn == Alpn.NONE ? TlsProvider.forByteStreams() : TlsProvider.selected();
        final PortKey key = new PortKey(socket, alpn, clientValidation, provider);
        PortContext port = ports.get(key);
        if (port == null) {
            port = previousPorts.get(key);
            if (port == null) {
                port = build(key);
                if (port == null) {
                    return null;
                }
            }
            ports.put(key, port);
        }
        port.keyManager().serve(choice);
        return port.context();
    }

    private static PortContext build(PortKey key) {
        try {
            final SniKeyManager keyManager = new SniKeyManager();
            return new PortContext(newServerContext(keyManager, key.provider(), key.alpn(), key.clientValidation()),
                    keyManager);
        } catch (GeneralSecurityException | SSLException | RuntimeException e) {
            LOG.warn("No TLS context for {}{}: {}", key.socket(),
                    key.clientValidation() == null ? "" : " with " + key.clientValidation(), e.toString());
            return null;
        }
    }

    /**
     * A server SslContext whose certificates {@code keyManager} picks: TLS 1.2 and 1.3 only
     * (renegotiation does not exist in 1.3 and both providers refuse client-initiated
     * renegotiation); for {@link Alpn#HTTP} ALPN offers h2, then HTTP/1.1; client certificates as
     * {@code clientValidation} says ({@link ClientCertificateTrust}; null: none asked for).
     */
    static SslContext newServerContext(SniKeyManager keyManager, SslProvider provider, Alpn alpn,
                                       FrontendValidation clientValidation)
            throws GeneralSecurityException, SSLException {
        // BoringSSL converts a chain and key to native form per alias once, in Netty's cache.
        final SslContextBuilder builder = (provider == SslProvider.JDK ? SslContextBuilder.forServer(keyManager)
                : SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(
                        new KeyManagerFactoryWrapper(keyManager), NATIVE_KEY_MATERIAL_CACHE)))
                .sslProvider(provider).protocols(PROTOCOLS);
        if (alpn == Alpn.HTTP) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        ClientCertificateTrust.apply(builder, clientValidation);
        return builder.build();
    }

    /** How many port contexts this snapshot serves. */
    public int size() {
        return ports.size();
    }

    /** How many distinct certificates this snapshot presents. */
    public int certificates() {
        return loaded.size();
    }
}
