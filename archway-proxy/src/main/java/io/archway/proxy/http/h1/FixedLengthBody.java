package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.List;

/**
 * A body framed by Content-Length (RFC 9112 section 6.2), for both slice decoders: slices of what
 * was read, at most maxChunkSize each, the last one a {@code LastHttpContent}, as Netty's decoder
 * hands them on.
 *
 * <p>The last part carries the shared, immutable empty trailer section: a body framed by length has
 * no trailer fields (they come only after a chunked body, RFC 9112 section 7.1.2), so a headers
 * table of its own for each message would be allocated for nothing.
 */
final class FixedLengthBody {
    private final int maxChunkSize;
    private long remaining;

    FixedLengthBody(HttpDecoderConfig config) {
        this.maxChunkSize = config.getMaxChunkSize();
    }

    /** Readies the body of a message that declared {@code length} (more than 0) bytes. */
    void start(long length) {
        remaining = length;
    }

    /** Hands on what {@code in} holds of the body; true once its last byte went. */
    boolean feed(ByteBuf in, List<Object> out) {
        final int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        final int n = (int) Math.min(Math.min(readable, maxChunkSize), remaining);
        final ByteBuf content = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new DefaultLastHttpContent(content, EmptyHttpHeaders.INSTANCE));
            return true;
        }
        out.add(new DefaultHttpContent(content));
        return false;
    }
}
