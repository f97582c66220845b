package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A chunked request body, decoded by Netty's own HTTP/1.1 decoder with the server's settings: chunk
 * sizes, extensions, the CRLF after each chunk and the trailer section follow exactly the rules the
 * codec applies (one implementation of chunked framing). The decoder is primed for each body with a
 * request head that declares {@code Transfer-Encoding: chunked} and is as large as the received
 * head's fields, so the trailers get the same share of maxHeaderSize as with the codec.
 */
final class ChunkedBody extends HttpRequestDecoder {
    /** "transfer-encoding:chunked": the shortest field line that can make a body chunked. */
    private static final String FIELD = "transfer-encoding:chunked";
    private final List<Object> primed = new ArrayList<>(2);

    ChunkedBody(HttpDecoderConfig config) {
        super(config);
    }

    /** Readies the decoder for the body of a request whose field lines measured {@code headerSize}. */
    void start(ChannelHandlerContext ctx, int headerSize) {
        reset();
        final ByteBuf head = Unpooled.copiedBuffer("POST / HTTP/1.1\r\n" + FIELD
                + " ".repeat(Math.max(0, headerSize - FIELD.length())) + "\r\n\r\n", StandardCharsets.US_ASCII);
        try {
            decode(ctx, head, primed);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            head.release();
            for (int i = 0; i < primed.size(); i++) {
                ReferenceCountUtil.release(primed.get(i));
            }
            primed.clear();
        }
    }

    /**
     * Decodes what {@code in} holds of the body; true once its last content (or a failure, which is
     * a failed last content) was added to {@code out}. Bytes after the body stay in {@code in}.
     */
    boolean feed(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            final int before = in.readableBytes();
            final int emitted = out.size();
            try {
                decode(ctx, in, out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = emitted; i < out.size(); i++) {
                if (out.get(i) instanceof LastHttpContent) {
                    return true;
                }
            }
            if (before == in.readableBytes() && emitted == out.size()) {
                return false;
            }
        }
        return false;
    }

    /** Frees the decoder's scratch buffer (it never joins a pipeline). */
    void dispose() throws Exception {
        handlerRemoved0(null);
    }
}
