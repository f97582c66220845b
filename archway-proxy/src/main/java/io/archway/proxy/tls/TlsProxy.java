package io.archway.proxy.tls;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.tcp.TcpProxy;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;

/**
 * Forwards the connections of TLS listeners (TLSRoute), one per data plane. {@link #serve} reads
 * an accepted connection's ClientHello (at most {@link #MAX_CLIENT_HELLO} bytes, within the read
 * timeout) with Netty's ClientHello parser; its server name (SNI) picks the listener and route in
 * the {@link TlsRoutes} of the port as of accept (a snapshot swap never moves an open connection).
 * The connection then goes to the {@link TcpProxy}, which picks a backend by weight, connects and
 * relays: for a Passthrough listener every byte, the ClientHello first and untouched (the proxy
 * decrypts nothing); for a Terminate listener the decrypted stream, once the handshake with the
 * listener's certificate for that name completed (within the same timeout).
 *
 * <p>Closed without an answer (no TLS alert), and reported by
 * {@link TrafficObserver#tlsPassthroughRejected}: bytes that are not a TLS ClientHello, a
 * ClientHello without SNI or with one no listener and route serve, one too large or too slow, a
 * name whose Terminate listener has no valid certificate.
 */
public final class TlsProxy {
    /** The longest ClientHello read (a handshake message, records excluded), as for HTTPS. */
    public static final int MAX_CLIENT_HELLO = 16384;
    /** How long a client may take to send its whole ClientHello, and to complete a terminated handshake. */
    public static final Duration CLIENT_HELLO_TIMEOUT = Duration.ofSeconds(10);

    static final String ROUTER = "tls-client-hello";

    private final TcpProxy tcpProxy;
    private final TrafficObserver observer;
    private final int maxClientHello;
    private final long timeoutMillis;

    public TlsProxy(TcpProxy tcpProxy, TrafficObserver observer) {
        this(tcpProxy, observer, MAX_CLIENT_HELLO, CLIENT_HELLO_TIMEOUT);
    }

    /** With other bounds: for tests. */
    public TlsProxy(TcpProxy tcpProxy, TrafficObserver observer, int maxClientHello, Duration timeout) {
        this.tcpProxy = tcpProxy;
        this.observer = observer;
        this.maxClientHello = maxClientHello;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
    }

    /**
     * Reads the ClientHello of {@code downstream}, an accepted connection not yet active, then
     * forwards it by {@code routes}. Call from its channel initializer.
     *
     * @param listenerPort the snapshot's spec port, for telemetry
     */
    public void serve(SocketChannel downstream, TlsRoutes routes, int listenerPort) {
        downstream.config().setAutoRead(false);
        // A FIN right behind the ClientHello is kept and passed on to the backend after it.
        downstream.config().setAllowHalfClosure(true);
        downstream.pipeline().addLast(ROUTER, new ClientHelloRouter(routes, tcpProxy, observer, listenerPort,
                maxClientHello, timeoutMillis));
    }
}
