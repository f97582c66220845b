package io.archway.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation terminates TLS: BoringSSL through netty-tcnative (the default; the
 * static BoringSSL build for linux-x86_64 ships with the proxy), or the JDK's {@code SSLEngine}
 * ({@code -Darchway.tls.provider=jdk} opts out). By bench/tls/run.sh's figures
 * (docs/PERFORMANCE.md) BoringSSL does 3.7-4.0x the JDK's TLS 1.3 full handshakes and 1.8-2.7x its
 * HTTPS keep-alive requests per proxy CPU second. TLS 1.3 half-close on TLSRoute Terminate
 * listeners (the client's close_notify ends only its direction, RFC 8446 section 6.1) holds with
 * both: Netty's BoringSSL engine would end both directions, which {@link BoringSslHalfClose}
 * prevents; where it cannot (another Netty), {@link #forByteStreams()} lets the JDK terminate
 * byte streams. When BoringSSL's native library does not load on this platform the JDK's serves,
 * and the log says why, once. Read whenever a context is built (contexts are reused across
 * snapshots, so a change applies to certificates built afterwards); logged when it changes.
 */
public final class TlsProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    /** The system property naming the provider: {@code openssl} (the default) or {@code jdk}. */
    public static final String PROPERTY = "archway.tls.provider";
    private static final String DEFAULT = "openssl";
    private static final AtomicReference<String> LOGGED = new AtomicReference<>();

    private TlsProvider() {
    }

    /** The provider every HTTPS server context is built with. */
    public static SslProvider selected() {
        final String name = System.getProperty(PROPERTY, DEFAULT);
        return select(name, !name.equals(LOGGED.getAndSet(name)));
    }

    /**
     * The provider of a TLSRoute Terminate listener's contexts (a relayed byte stream): the
     * {@link #selected() selected} one, unless BoringSSL could not be kept half-open on this Netty.
     */
    public static SslProvider forByteStreams() {
        final SslProvider provider = selected();
        return provider == SslProvider.OPENSSL && !BoringSslHalfClose.available() ? SslProvider.JDK : provider;
    }

    private static SslProvider select(String name, boolean log) {
        final String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("jdk")) {
            if (log) {
                LOG.info("TLS by the JDK's SSLEngine ({}=jdk)", PROPERTY);
            }
            return SslProvider.JDK;
        }
        if (!wanted.equals("openssl") && !wanted.equals("boringssl")) {
            if (log) {
                LOG.warn("{}={} is neither openssl nor jdk: the JDK provider serves", PROPERTY, name);
            }
            return SslProvider.JDK;
        }
        if (!OpenSsl.isAvailable()) {
            if (log) {
                LOG.warn("BoringSSL (netty-tcnative) is not available on this platform ({}); TLS by the JDK's"
                        + " SSLEngine, with fewer handshakes and requests per core", String.valueOf(OpenSsl.unavailabilityCause()));
            }
            return SslProvider.JDK;
        }
        if (log) {
            LOG.info("TLS by {} (netty-tcnative)", OpenSsl.versionString());
        }
        return SslProvider.OPENSSL;
    }
}
