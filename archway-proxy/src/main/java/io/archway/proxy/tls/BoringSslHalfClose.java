package io.archway.proxy.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a TLS 1.3 connection's write side open after the client's close_notify when BoringSSL
 * terminates it, as RFC 8446 section 6.1 says ("This does not have any effect on its read side of
 * the connection"), so a TLSRoute Terminate relay keeps sending the backend's bytes after the
 * client half-closed; the JDK's SSLEngine does this by itself (jdk.tls.acknowledgeCloseNotify is
 * false by default).
 *
 * <p>Why this reaches into Netty: BoringSSL allows writes after a received close_notify
 * ({@code SSL_write} refuses only once this side sent its own), but Netty 4.2's
 * {@link ReferenceCountedOpenSslEngine} applies the TLS 1.2 duplex rule (RFC 5246 section 7.2.1)
 * to every version: when {@code unwrap} sees {@code SSL_RECEIVED_SHUTDOWN} (or
 * {@code SSL_ERROR_ZERO_RETURN}) it calls its private {@code closeAll()}, which calls
 * {@code closeOutbound()}: {@code SSL_shutdown} queues our close_notify and every later
 * {@code wrap} returns CLOSED, so {@code SslHandler} fails the relay's next write and the
 * connection ends in both directions. {@code closeAll()} runs only while the engine's private
 * {@code receivedShutdown} flag is false, and nothing public sets it (closeOutbound is final, the
 * constructor package-private). This sets it once a TLS 1.3 handshake completed: the client's
 * close_notify then only ends BoringSSL's read side ({@code unwrap} returns OK with nothing
 * produced, and the client's FIN that follows ends the relayed stream as it does with the JDK);
 * our close_notify goes when the relay calls {@code SslHandler.closeOutbound()} after the
 * backend's FIN. The flag's only other use is the truncation check of {@code closeInbound()},
 * which then stays silent (the relay does not tell a FIN with close_notify from one without, with
 * either provider). TLS 1.2 keeps Netty's duplex close, which its RFC requires.
 *
 * <p>When the field is missing (another Netty version) {@link #available()} is false and
 * {@link TlsProvider#forByteStreams()} lets the JDK terminate byte streams; the TLS end-to-end
 * tests run with both providers and fail if half-close is lost.
 */
final class BoringSslHalfClose {
    private static final Logger LOG = LoggerFactory.getLogger(BoringSslHalfClose.class);
    private static final VarHandle RECEIVED_SHUTDOWN = find();

    private BoringSslHalfClose() {
    }

    private static VarHandle find() {
        try {
            return MethodHandles.privateLookupIn(ReferenceCountedOpenSslEngine.class, MethodHandles.lookup())
                    .findVarHandle(ReferenceCountedOpenSslEngine.class, "receivedShutdown", boolean.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Netty's OpenSSL engine has no receivedShutdown flag here ({}): TLSRoute Terminate listeners"
                    + " use the JDK's TLS to keep TLS 1.3 half-close", e.toString());
            return null;
        }
    }

    /** Whether BoringSSL engines can be kept half-open on this Netty. */
    static boolean available() {
        return RECEIVED_SHUTDOWN != null;
    }

    /**
     * After a completed handshake: when {@code engine} is BoringSSL's and negotiated TLS 1.3, a
     * close_notify from the peer no longer closes its outbound side. Nothing for the JDK's engine
     * (it half-closes by itself) or TLS 1.2.
     */
    static void keepWriteSideOpen(SSLEngine engine) {
        if (RECEIVED_SHUTDOWN == null || !(engine instanceof ReferenceCountedOpenSslEngine openssl)) {
            return;
        }
        // The engine's methods synchronize on it; so does this write, for their reads to see it.
        synchronized (openssl) {
            if ("TLSv1.3".equals(openssl.getSession().getProtocol())) {
                RECEIVED_SHUTDOWN.set(openssl, true);
            }
        }
    }
}
