package io.archway.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;

/**
 * The client side of one exchange as {@link HttpProxyHandler} and {@link HttpRouter} use it: an
 * HTTP/1.1 connection ({@link ChannelDownstream}) or one stream of an HTTP/2 connection
 * ({@link Http2StreamCodec}), which has no {@code Channel} of its own. Messages written are the
 * HTTP message objects of both protocols; an HTTP/2 stream turns them into frames.
 */
interface Downstream {
    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** Writes without flushing; {@code promise} may be {@link #voidPromise()}. */
    void write(Object msg, ChannelPromise promise);

    ChannelFuture writeAndFlush(Object msg);

    void flush();

    /**
     * A promise nobody listens to. A failed write under it ends the exchange through the
     * downstream's close: the connection's exception handler closes an HTTP/1.1 connection, a
     * stream closed by its peer or its connection ends as closed.
     */
    ChannelPromise voidPromise();

    boolean isWritable();

    boolean isActive();

    /** Closes the connection (HTTP/1.1) or resets the stream (HTTP/2) unless it ended. */
    void close();

    /** Closes once {@code written} completes (the response's last write). */
    void closeAfter(ChannelFuture written);

    boolean isAutoRead();

    /** Pauses or resumes delivering the request: socket reads, or a stream's DATA frames and its window. */
    void setAutoRead(boolean autoRead);

    SocketAddress remoteAddress();

    /** The client's IP address in X-Forwarded-For form, formatted once per connection. */
    String clientIp();

    /** The SNI name the TLS connection was opened with, or null. */
    String sniHostname();

    /** The access log's protocol: "HTTP/2", else "HTTP/1.0" or "HTTP/1.1" by the request. */
    String protocol(boolean http10);
}
