package io.archway.proxy.http;

import io.archway.proxy.tls.TlsProvider;
import io.archway.snapshot.BackendTls;
import io.archway.snapshot.certificate.PemKeyMaterial;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLException;

/**
 * TLS to one backend as its BackendTLSPolicy says, ready to connect: a client context that sends
 * the policy's hostname as SNI, verifies the backend with {@link BackendIdentityVerifier}, presents
 * the Gateway's client certificate when it has one, speaks TLS 1.2 or 1.3, and offers by ALPN the
 * one protocol the backend is spoken to with (h2 for HTTP/2 backends: gRPC; http/1.1 otherwise).
 *
 * <p>Settings the data plane cannot build a context from (a client key the JDK refuses) fail every
 * connection with that error (502), rather than the whole snapshot.
 *
 * <p>Two are equal when built from equal settings for the same protocol, so pooled connections
 * (keyed by {@link UpstreamAddress}, which holds one) survive a snapshot swap that leaves a policy
 * as it was, and never serve a backend whose policy changed.
 */
final class UpstreamTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final BackendTls settings;
    private final boolean http2;
    private final SslContext context;
    private final SSLException failure;
    private final int hash;

    UpstreamTls(BackendTls settings, boolean http2) {
        this.settings = settings;
        this.http2 = http2;
        SslContext built = null;
        SSLException failed = null;
        try {
            built = context(settings, http2);
        } catch (GeneralSecurityException | SSLException | RuntimeException e) {
            failed = new SSLException("BackendTLSPolicy " + settings.policy() + ": cannot build the TLS client context: "
                    + e.getMessage(), e);
        }
        this.context = built;
        this.failure = failed;
        this.hash = 31 * settings.hashCode() + Boolean.hashCode(http2);
    }

    private static SslContext context(BackendTls settings, boolean http2) throws GeneralSecurityException, SSLException {
        final SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.selected())
                .protocols(PROTOCOLS)
                .trustManager(new BackendIdentityVerifier(settings))
                // The verifier checks the identity itself: the policy's names, not the SNI alone.
                .endpointIdentificationAlgorithm(null)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
        if (settings.clientCertificate() != null) {
            builder.keyManager(PemKeyMaterial.privateKey(settings.clientCertificate().privateKeyPem()),
                    PemKeyMaterial.certificates(settings.clientCertificate().certificateChainPem()));
        }
        return builder.build();
    }

    /** Why no connection can be made with these settings, or null. */
    SSLException failure() {
        return failure;
    }

    /** A handler for a new connection to {@code port}, sending the policy's hostname as SNI. */
    SslHandler newHandler(ByteBufAllocator alloc, int port) {
        return context.newHandler(alloc, settings.hostname(), port);
    }

    boolean http2() {
        return http2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamTls other && other.hash == hash && other.http2 == http2
                && other.settings.equals(settings);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "TLS(" + settings.policy() + ", SNI " + settings.hostname() + (http2 ? ", h2)" : ")");
    }
}
