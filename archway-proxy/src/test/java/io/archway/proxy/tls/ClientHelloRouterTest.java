package io.archway.proxy.tls;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.passthrough;
import static io.archway.proxy.testing.Snapshots.sni;
import static io.archway.proxy.testing.Snapshots.tls;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.TrafficObserver;
import io.archway.proxy.TrafficObserver.TlsRejection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The ClientHello phase alone, on an embedded channel: every way it ends without a route. */
class ClientHelloRouterTest {
    private final List<TlsRejection> rejected = new CopyOnWriteArrayList<>();
    private final TrafficObserver observer = new TrafficObserver() {
        @Override
        public void tlsPassthroughRejected(int listenerPort, TlsRejection reason) {
            assertThat(listenerPort).isEqualTo(8443);
            rejected.add(reason);
        }
    };
    private final TlsRoutes routes = new TlsRoutes(tls(8443,
            passthrough("l", "known.example.com", sni("known.example.com", "r", backend("a", 1, 1)))),
            ServerContexts.none());

    private EmbeddedChannel channel() {
        // The TCP proxy is never reached on these paths.
        return new EmbeddedChannel(new ClientHelloRouter(routes, null, observer, 8443,
                TlsProxy.MAX_CLIENT_HELLO, 10_000));
    }

    /** A real ClientHello from the JDK, with that SNI (null: none). */
    private static ByteBuf clientHello(String serverName) throws Exception {
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        final SSLEngine engine = ctx.createSSLEngine();
        engine.setUseClientMode(true);
        final SSLParameters params = engine.getSSLParameters();
        params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(params);
        final ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    @Test
    void aClientHelloTooSlowIsClosedAtTheTimeout() throws Exception {
        final EmbeddedChannel ch = channel();
        final ByteBuf hello = clientHello("known.example.com");
        ch.writeInbound(hello.readRetainedSlice(20));
        hello.release();
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly(TlsRejection.TIMEOUT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFinBeforeTheClientHelloIsCompleteCloses() throws Exception {
        final EmbeddedChannel ch = channel();
        final ByteBuf hello = clientHello("known.example.com");
        ch.writeInbound(hello.readRetainedSlice(hello.readableBytes() - 1));
        hello.release();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly(TlsRejection.CLIENT_CLOSED);
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientHelloOverTheBoundIsClosed() throws Exception {
        final EmbeddedChannel ch = channel();
        // A handshake record announcing 64 KiB: refused once 2 x 16 KiB + 1 KiB are held.
        final ByteBuf header = Unpooled.buffer().writeByte(22).writeByte(3).writeByte(1).writeShort(0xffff)
                .writeByte(1).writeMedium(0xfffb);
        ch.writeInbound(header);
        for (int i = 0; i < 5 && ch.isOpen(); i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[8192]));
        }
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly(TlsRejection.TOO_LARGE);
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientHelloMessageOverSixteenKibIsClosed() throws Exception {
        final EmbeddedChannel ch = channel();
        // One full record whose handshake header announces a 20 KiB ClientHello.
        final ByteBuf record = Unpooled.buffer().writeByte(22).writeByte(3).writeByte(1).writeShort(16384)
                .writeByte(1).writeMedium(20_000).writeZero(16380);
        ch.writeInbound(record);
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly(TlsRejection.TOO_LARGE);
        ch.finishAndReleaseAll();
    }

    @Test
    void notTlsNoSniAndUnknownSniAreClosed() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();

        ch = channel();
        ch.writeInbound(clientHello(null));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();

        ch = channel();
        ch.writeInbound(clientHello("unknown.example.com"));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();

        assertThat(rejected).containsExactly(TlsRejection.NOT_TLS, TlsRejection.NO_SNI, TlsRejection.UNKNOWN_SNI);
    }

    @Test
    void aClientHelloByteByByteIsReadWhole() throws Exception {
        final EmbeddedChannel ch = channel();
        final ByteBuf hello = clientHello("unknown.example.com");
        while (hello.readableBytes() > 1) {
            ch.writeInbound(hello.readRetainedSlice(1));
            assertThat(ch.isOpen()).isTrue();
        }
        ch.writeInbound(hello.readRetainedSlice(1));
        hello.release();
        // Parsed once complete: the name was read (and no route serves it).
        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly(TlsRejection.UNKNOWN_SNI);
        ch.finishAndReleaseAll();
    }
}
