package io.archway.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation terminates TLS: the JDK's {@code SSLEngine} (the default), or BoringSSL
 * through netty-tcnative ({@code -Darchway.tls.provider=openssl}; the static BoringSSL build for
 * linux-x86_64 ships with the proxy). By bench/tls/run.sh's figures (docs/PERFORMANCE.md) BoringSSL
 * does 3.7-4.0x the JDK's TLS 1.3 full handshakes and 1.8-2.7x its HTTPS keep-alive requests per
 * proxy CPU second, but it is not the default yet: with it, a TLSRoute Terminate connection does not
 * keep its TLS 1.3 half-close (the client's close_notify ends both directions;
 * DataPlaneTlsTerminateTest fails with it). When BoringSSL's native library does not load on this
 * machine the JDK's serves, and the log says why. Read whenever a context is built (contexts are
 * reused across snapshots, so a change applies to certificates built afterwards); logged when it
 * changes.
 */
public final class TlsProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    /** The system property naming the provider: {@code jdk} or {@code openssl}. */
    public static final String PROPERTY = "archway.tls.provider";
    private static final java.util.concurrent.atomic.AtomicReference<String> LOGGED =
            new java.util.concurrent.atomic.AtomicReference<>();

    private TlsProvider() {
    }

    /** The provider every server context is built with. */
    public static SslProvider selected() {
        final String name = System.getProperty(PROPERTY, "jdk");
        return select(name, !name.equals(LOGGED.getAndSet(name)));
    }

    private static SslProvider select(String name, boolean log) {
        final String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("jdk")) {
            return SslProvider.JDK;
        }
        if (!wanted.equals("openssl") && !wanted.equals("boringssl")) {
            if (log) {
                LOG.warn("{}={} is neither jdk nor openssl: the JDK provider serves", PROPERTY, name);
            }
            return SslProvider.JDK;
        }
        if (!OpenSsl.isAvailable()) {
            if (log) {
                LOG.warn("{}={}: BoringSSL is not available here ({}); the JDK provider serves", PROPERTY, name,
                        String.valueOf(OpenSsl.unavailabilityCause()));
            }
            return SslProvider.JDK;
        }
        if (log) {
            LOG.info("TLS by {} (netty-tcnative)", OpenSsl.versionString());
        }
        return SslProvider.OPENSSL;
    }
}
