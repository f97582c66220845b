package io.archway.proxy.http;

import io.archway.proxy.TrafficObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A downstream HTTP/2 connection on an {@link EmbeddedChannel}: the proxy's server codec ({@link Http2ServerCodec}) and
 * {@link Http2Streams}, fed the bytes of frames a test writes as the client (with Netty's frame
 * writer, which checks nothing, so malformed requests reach the server as sent), and the server's
 * bytes read back as frames. Each stream's {@link DownstreamHandler} is a {@link Recorder}.
 */
final class H2Wire implements AutoCloseable {
    /** A frame the server sent. */
    record Frame(String type, int stream, Http2Headers headers, String data, boolean end, long value) {
    }

    /** A stream's handler: what it was handed, and its downstream for the response. */
    static final class Recorder implements DownstreamHandler {
        final ArrayDeque<Object> messages = new ArrayDeque<>();
        Downstream downstream;
        int readCompletes;
        int writabilityChanges;
        boolean closed;

        @Override
        public void attach(Downstream downstream) {
            this.downstream = downstream;
        }

        @Override
        public void read(Object msg) {
            messages.add(msg);
        }

        @Override
        public void readComplete() {
            readCompletes++;
        }

        @Override
        public void writabilityChanged() {
            writabilityChanges++;
        }

        @Override
        public void closed() {
            closed = true;
        }

        @SuppressWarnings("unchecked")
        <T> T next() {
            return (T) messages.poll();
        }
    }

    final EmbeddedChannel server;
    final List<Recorder> streams = new ArrayList<>();
    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext out = client.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(false);
    private final ByteBuf received = Unpooled.buffer();
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();

    H2Wire() {
        server = new EmbeddedChannel(Http2ServerCodec.build(Http2Settings.defaultSettings(),
                Http2CodecUtil.DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT_MILLIS),
                new Http2Streams(() -> {
                    final Recorder r = new Recorder();
                    streams.add(r);
                    return r;
                }, TrafficObserver.NOOP, 0));
        out.write(Http2CodecUtil.connectionPrefaceBuf());
        writer.writeSettings(out, new Http2Settings(), out.newPromise());
        send();
        // The server's SETTINGS (and its ack of ours); the connection window's refills are not asserted.
        receive();
        frames.clear();
    }

    Recorder stream(int i) {
        return streams.get(i);
    }

    H2Wire headers(int stream, Http2Headers headers, boolean end) {
        writer.writeHeaders(out, stream, headers, 0, end, out.newPromise());
        return send();
    }

    H2Wire data(int stream, ByteBuf data, boolean end) {
        writer.writeData(out, stream, data, 0, end, out.newPromise());
        return send();
    }

    H2Wire data(int stream, String data, boolean end) {
        return data(stream, Unpooled.copiedBuffer(data, StandardCharsets.US_ASCII), end);
    }

    H2Wire reset(int stream, long code) {
        writer.writeRstStream(out, stream, code, out.newPromise());
        return send();
    }

    /** An RFC 7540 PRIORITY frame (weight 16): {@code stream} depends on {@code dependency}. */
    H2Wire priority(int stream, int dependency, boolean exclusive) {
        writer.writePriority(out, stream, dependency, (short) 16, exclusive, out.newPromise());
        return send();
    }

    H2Wire windowUpdate(int stream, int increment) {
        writer.writeWindowUpdate(out, stream, increment, out.newPromise());
        return send();
    }

    /** Moves what the client wrote to the server, as one read. */
    private H2Wire send() {
        client.flush();
        ByteBuf b;
        final List<Object> batch = new ArrayList<>();
        while ((b = client.readOutbound()) != null) {
            batch.add(b);
        }
        server.writeInbound(batch.toArray());
        return this;
    }

    /** The next frame the server sent, other than connection-level WINDOW_UPDATE, SETTINGS and PING; null if none. */
    Frame next() {
        receive();
        return frames.poll();
    }

    private void receive() {
        server.runPendingTasks();
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            received.writeBytes(b);
            b.release();
        }
        try {
            reader.readFrame(out, received, new Http2FrameAdapter() {
                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                                      boolean endOfStream) {
                    frames.add(new Frame("DATA", streamId, null, data.toString(StandardCharsets.US_ASCII),
                            endOfStream, 0));
                    return data.readableBytes() + padding;
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                          boolean endStream) {
                    frames.add(new Frame("HEADERS", streamId, headers, null, endStream, 0));
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                          int streamDependency, short weight, boolean exclusive, int padding,
                                          boolean endStream) {
                    onHeadersRead(ctx, streamId, headers, padding, endStream);
                }

                @Override
                public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                    frames.add(new Frame("RST_STREAM", streamId, null, null, false, errorCode));
                }

                @Override
                public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
                    if (streamId != 0) {
                        frames.add(new Frame("WINDOW_UPDATE", streamId, null, null, false, windowSizeIncrement));
                    }
                }

                @Override
                public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
                    frames.add(new Frame("GOAWAY", 0, null, null, false, errorCode));
                }
            });
        } catch (Http2Exception e) {
            throw new AssertionError(e);
        }
        received.discardReadBytes();
    }

    static ByteBuf bytes(String s) {
        return ByteBufAllocator.DEFAULT.buffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
        received.release();
        for (Recorder r : streams) {
            Object m;
            while ((m = r.messages.poll()) != null) {
                io.netty.util.ReferenceCountUtil.release(m);
            }
        }
    }
}
