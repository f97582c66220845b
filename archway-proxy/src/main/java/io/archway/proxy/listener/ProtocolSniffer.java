package io.archway.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge (h2c, RFC 9113 section 3.3: the connection starts with the
 * client preface {@code PRI * HTTP/2.0...}) from HTTP/1.1 on a cleartext port, installs the
 * matching pipeline and removes itself; the bytes read so far go to the new pipeline. Decides as
 * soon as the first bytes differ from the preface, so HTTP/1.1 requests are never delayed.
 */
public final class ProtocolSniffer extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    /**
     * @param http1 installs the HTTP/1.1 handlers after this one
     * @param http2 installs the HTTP/2 handlers after this one
     */
    public ProtocolSniffer(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        final int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        final boolean prefixMatches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
        if (!prefixMatches) {
            http1.accept(ctx);
        } else if (n == PREFACE.readableBytes()) {
            http2.accept(ctx);
        } else {
            return; // need more bytes
        }
        // Removing this decoder passes the bytes it holds on to the handlers just installed.
        ctx.pipeline().remove(this);
    }
}
