package io.archway.proxy.tls;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.certificate.CertificateCheck;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server {@link SslContext}s of one compiled snapshot, and each terminating listener's last
 * good certificates. Built off the event loop while a snapshot compiles; read-only afterwards.
 *
 * <p>A context is built once per certificate bundle and {@link Alpn} setting and reused from the
 * previous snapshot when the bundle is unchanged (building one is expensive, and reuse keeps TLS
 * session resumption working across reloads).
 *
 * <p><b>Last good certificates.</b> When a listener's certificates are all unusable in a new
 * snapshot (the translator leaves them out when the Secret's data is broken, or a bundle fails to
 * load here), the listener keeps presenting the certificates it presented in the previous
 * snapshot. That memory lives here, in the data plane, and not in the translator or the rebuild
 * loop: the translator is a pure function of the resources (it reports the broken Secret in
 * status, ResolvedRefs=False, but cannot remember what was served before), and only the data
 * plane knows what it actually presented, including bundles the translator accepted that failed
 * to load into an SslContext. The memory is keyed by the listener ({@link ListenerOrigin}), so a
 * broken Secret affects only the listeners that reference it, and it lasts as long as the
 * listener stays in the snapshots (a listener removed and re-added starts without one).
 */
public final class ServerContexts {
    private static final Logger LOG = LoggerFactory.getLogger(ServerContexts.class);
    private static final ServerContexts NONE = new ServerContexts(Map.of(), Map.of());

    /** Which application protocols a context offers by ALPN. */
    public enum Alpn {
        /** HTTPS listeners: h2, then http/1.1. */
        HTTP,
        /** TLS Terminate listeners: a byte stream, no ALPN. */
        NONE
    }

    /** A certificate presented by a listener, with the context serving it. */
    public record Served(CertificateBundle bundle, SslContext context) {
    }

    /** @param clientValidation the client certificates the handshake asks for; null for none */
    private record Key(CertificateBundle bundle, Alpn alpn, FrontendValidation clientValidation) {
    }

    private final Map<Key, SslContext> previousContexts;
    private final Map<ListenerOrigin, List<Served>> previousServed;
    private final Map<Key, SslContext> contexts = new HashMap<>();
    private final Map<ListenerOrigin, List<Served>> served = new HashMap<>();

    private ServerContexts(Map<Key, SslContext> previousContexts, Map<ListenerOrigin, List<Served>> previousServed) {
        this.previousContexts = previousContexts;
        this.previousServed = previousServed;
    }

    /** For the first snapshot: nothing to reuse. */
    public static ServerContexts none() {
        return NONE;
    }

    /** For the snapshot compiled after the one {@code previous} belongs to. */
    public static ServerContexts after(ServerContexts previous) {
        return new ServerContexts(Map.copyOf(previous.contexts), Map.copyOf(previous.served));
    }

    /**
     * The certificates {@code listener} presents: those of {@code bundles} that load, in order; when
     * none does (or there is none), the ones it presented in the previous snapshot, if any.
     *
     * @param clientValidation the client certificates the listener's socket asks for (null: none);
     *     last good certificates are presented with this snapshot's validation too
     */
    public List<Served> forListener(ListenerOrigin listener, List<CertificateBundle> bundles, Alpn alpn,
                                    FrontendValidation clientValidation) {
        Objects.requireNonNull(listener, "listener");
        final List<Served> out = new ArrayList<>(bundles.size());
        for (CertificateBundle bundle : bundles) {
            final SslContext ctx = context(bundle, alpn, clientValidation);
            if (ctx != null) {
                out.add(new Served(bundle, ctx));
            }
        }
        if (out.isEmpty()) {
            final List<Served> lastGood = previousServed.getOrDefault(listener, List.of());
            if (!lastGood.isEmpty()) {
                LOG.warn("listener {}: no valid certificate in this snapshot; still presenting its last good one ({})",
                        listener, lastGood.get(0).bundle().source());
            }
            for (Served s : lastGood) {
                final Key key = new Key(s.bundle(), alpn, clientValidation);
                final SslContext ctx = previousContexts.get(key) != null ? previousContexts.get(key)
                        : build(s.bundle(), alpn, clientValidation);
                if (ctx != null) {
                    contexts.put(key, ctx);
                    out.add(new Served(s.bundle(), ctx));
                }
            }
        }
        final List<Served> result = List.copyOf(out);
        if (!result.isEmpty()) {
            served.put(listener, result);
        }
        return result;
    }

    /** The context for one bundle: built here, or reused; null (logged) when the bundle does not load. */
    private SslContext context(CertificateBundle bundle, Alpn alpn, FrontendValidation clientValidation) {
        final Key key = new Key(bundle, alpn, clientValidation);
        SslContext ctx = contexts.get(key);
        if (ctx == null) {
            ctx = previousContexts.get(key);
            if (ctx == null) {
                // The translator reports a broken pair in status; this guards snapshots built
                // elsewhere (the JDK would build a context for a key that does not match).
                final String problem = CertificateCheck.problem(bundle.certificateChainPem(), bundle.privateKeyPem(),
                        null);
                if (problem != null) {
                    LOG.warn("Skipping certificate {}: {}", bundle.source(), problem);
                    return null;
                }
                ctx = build(bundle, alpn, clientValidation);
                if (ctx == null) {
                    return null;
                }
            }
            contexts.put(key, ctx);
        }
        return ctx;
    }

    private static SslContext build(CertificateBundle bundle, Alpn alpn, FrontendValidation clientValidation) {
        try {
            return SniCertificateMapping.newServerContext(bundle, alpn, clientValidation);
        } catch (java.security.GeneralSecurityException | javax.net.ssl.SSLException | RuntimeException e) {
            LOG.warn("Skipping certificate {}{}: {}", bundle.source(),
                    clientValidation == null ? "" : " with " + clientValidation, e.toString());
            return null;
        }
    }

    /** How many distinct contexts this snapshot serves. */
    public int size() {
        return contexts.size();
    }
}
