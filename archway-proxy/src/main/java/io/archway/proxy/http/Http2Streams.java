package io.archway.proxy.http;

import io.archway.proxy.TrafficObserver;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * The streams of a downstream HTTP/2 connection (h2c, or h2 over TLS), right after Netty's
 * {@link Http2FrameCodec}: each stream is an {@link Http2StreamCodec} with its own
 * {@link DownstreamHandler} (an {@link HttpProxyHandler}), and no channel. The codec keeps every
 * connection-level rule (SETTINGS, max concurrent streams, flow-control windows, GOAWAY and the
 * graceful close on drain or shutdown, connection errors); this hands each stream its frames,
 * its state changes (closed: reset by the client or ended), its writability (the stream's send
 * window), and its stream errors, and writes the stream's frames on the connection.
 *
 * <p>Flushes. The responses and resets written while the connection reads go out in one flush
 * at the end of the read batch, as the child channels' did; each stream that received something
 * in the batch then gets its {@link DownstreamHandler#readComplete} (what it sent upstream goes
 * out in one flush too).
 */
public final class Http2Streams extends ChannelInboundHandlerAdapter {
    private final Supplier<? extends DownstreamHandler> handlers;
    private final TrafficObserver observer;
    private final int listenerPort;
    private final IntObjectHashMap<Http2StreamCodec> streams = new IntObjectHashMap<>(8);
    private ChannelHandlerContext ctx;
    private Http2Connection connection;
    /** A promise nobody listens to and whose failure fires nothing: a stream's write failing ends it, not the connection. */
    private ChannelPromise voidPromise;
    private String clientIp;
    private boolean reading;
    private boolean flushPending;
    /** The streams that received something in the current read batch (linked through them). */
    private Http2StreamCodec readHead;

    /**
     * @param handlers one handler per stream
     * @param observer told of each stream opened and closed (by {@code listenerPort})
     */
    public Http2Streams(Supplier<? extends DownstreamHandler> handlers, TrafficObserver observer, int listenerPort) {
        this.handlers = handlers;
        this.observer = observer;
        this.listenerPort = listenerPort;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
        this.voidPromise = new VoidChannelPromise(ctx.channel(), false);
        this.clientIp = UpstreamRequestBuilder.clientIp(ctx.channel().remoteAddress());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof Http2StreamFrame frame && frame.stream() != null) {
            final Http2StreamCodec s = msg instanceof Http2HeadersFrame || msg instanceof Http2DataFrame
                    ? stream(frame.stream()) : null;
            if (s != null) {
                s.onFrame(frame);
            } else {
                // RST_STREAM (the close event follows), WINDOW_UPDATE, PRIORITY, unknown types: nothing to hand on.
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** The stream's codec, made on its first frame; null if the codec closed the stream already. */
    private Http2StreamCodec stream(Http2FrameStream frameStream) {
        final int id = frameStream.id();
        Http2StreamCodec s = streams.get(id);
        if (s == null) {
            final Http2Stream state = connection.stream(id);
            if (state == null) {
                return null;
            }
            s = new Http2StreamCodec(this, frameStream, state, handlers.get());
            streams.put(id, s);
            if (observer != TrafficObserver.NOOP) {
                observer.streamOpened(listenerPort);
            }
        }
        return s;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        Http2StreamCodec s = readHead;
        readHead = null;
        while (s != null) {
            final Http2StreamCodec next = s.nextRead;
            s.nextRead = null;
            s.inReadList = false;
            s.readComplete();
            s = next;
        }
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2FrameStreamEvent event) {
            final int id = event.stream().id();
            final Http2StreamCodec s = streams.get(id);
            if (s == null) {
                return;
            }
            if (event.type() == Http2FrameStreamEvent.Type.Writability) {
                s.writabilityChanged();
            } else if (event.stream().state() == Http2Stream.State.CLOSED) {
                streams.remove(id);
                closed(s);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void closed(Http2StreamCodec s) {
        s.streamClosed();
        if (observer != TrafficObserver.NOOP) {
            observer.streamClosed(listenerPort);
        }
    }

    /** A stream error the codec found in what the client sent: the stream is reset with its code. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e) {
            final Http2StreamCodec s = streams.get(e.stream().id());
            if (s != null) {
                s.streamError(e.error());
            } else {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(e.error()).stream(e.stream()), voidPromise);
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The codec closes its streams as the connection closes; any left are closed here.
        if (!streams.isEmpty()) {
            final Http2StreamCodec[] open = streams.values().toArray(new Http2StreamCodec[0]);
            streams.clear();
            for (Http2StreamCodec s : open) {
                closed(s);
            }
        }
        ctx.fireChannelInactive();
    }

    // ---- for the streams -------------------------------------------------------------------------

    ChannelFuture write(Object frame) {
        return ctx.write(frame);
    }

    void write(Object frame, ChannelPromise promise) {
        ctx.write(frame, promise);
    }

    /** Flushes now, or at the end of the read batch when the connection is reading. */
    void flush() {
        if (reading) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    /** A stream handed its handler something: its read-complete at the batch end, or now outside a read. */
    void delivered(Http2StreamCodec s) {
        if (reading) {
            if (!s.inReadList) {
                s.inReadList = true;
                s.nextRead = readHead;
                readHead = s;
            }
        } else {
            s.readComplete();
            ctx.flush(); // the WINDOW_UPDATE the delivery gave back
        }
    }

    /** Gives {@code bytes} of a stream's DATA back to the client's window. */
    void consume(Http2Stream stream, int bytes) {
        if (bytes > 0 && stream.state() != Http2Stream.State.CLOSED) {
            try {
                connection.local().flowController().consumeBytes(stream, bytes);
            } catch (Http2Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    boolean isWritable(Http2Stream stream) {
        return connection.remote().flowController().isWritable(stream);
    }

    ChannelPromise newPromise() {
        return ctx.newPromise();
    }

    ChannelPromise voidPromise() {
        return voidPromise;
    }

    EventExecutor executor() {
        return ctx.executor();
    }

    EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    boolean isActive() {
        return ctx.channel().isActive();
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    String clientIp() {
        return clientIp;
    }

    String sniHostname() {
        return ctx.channel().attr(HttpProxyHandler.SNI_HOSTNAME).get();
    }
}
