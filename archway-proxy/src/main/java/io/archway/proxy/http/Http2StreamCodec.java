package io.archway.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * One downstream HTTP/2 stream, served without a channel of its own: its {@link Http2Streams}
 * connection handler hands it the stream's frames, it checks the RFC 9113 section 8 request rules
 * Netty's codec leaves to the application, turns the request's frames into the HTTP message
 * objects the proxy handles for both protocols, answers {@code Expect: 100-continue}, and hands
 * them to the stream's {@link DownstreamHandler} (an {@link HttpProxyHandler}); as that handler's
 * {@link Downstream} it turns the response's messages back into frames of this stream, written
 * on the connection. It replaces the child channel of Netty's {@code Http2MultiplexHandler} with
 * its pipeline, config, promises and handler contexts (about 960 B per stream).
 *
 * <p>Request rules. A malformed request gets a stream error of type PROTOCOL_ERROR (section 8.1.1)
 * and none of its frames is forwarded. Netty's codec already rejects invalid or upper-case names,
 * unknown, duplicate or misplaced pseudo-headers, connection-specific fields (section 8.2.2, TE
 * other than "trailers" included), trailers without END_STREAM or with pseudo-headers, and a
 * content-length that does not parse or does not equal the DATA received (section 8.1.1), as stream
 * errors reset here with their own code ({@link #streamError}). This adds the mandatory request
 * pseudo-headers (section 8.3.1: {@code :method}, {@code :scheme}, a non-empty {@code :path}),
 * CONNECT (section 8.5: {@code :authority} only, answered 405 as over HTTP/1.1) and trailers that
 * do not end the stream or carry a pseudo-header.
 *
 * <p>Conversion. A request's header block becomes HTTP/1 fields through {@link Http2RequestFields}
 * (Host from {@code :authority}, cookie crumbs joined into one field as section 8.2.3 asks, a value
 * Netty's validating HTTP/1 headers refuse is a malformed request); a response's fields become a
 * header block through {@link Http2ResponseHeaders} (connection-specific fields dropped); a
 * request whose body follows without a content-length is marked chunked, so the HTTP/1.1 side
 * re-frames it; a request that ends with its headers is the request followed by an
 * empty last content, as over HTTP/1.1.
 *
 * <p>Flow control. A DATA frame's bytes are given back to the client's window (WINDOW_UPDATE, by
 * Netty's local flow controller) once the frame is handed on; while the handler pauses reading
 * ({@link #setAutoRead}), the stream's frames wait here and its window is not given back, so the
 * client stops sending, as a paused child channel did. The stream is writable while its send
 * window has room.
 */
final class Http2StreamCodec implements Downstream, ChannelFutureListener {
    private static final CharSequence CONTINUE_STATUS = HttpResponseStatus.CONTINUE.codeAsText();

    private final Http2Streams connection;
    private final Http2FrameStream stream;
    private final Http2Stream state;
    private final DownstreamHandler handler;
    /** Frames that arrived while reading is paused, in order; made when first needed. */
    private ArrayDeque<Http2StreamFrame> pending;
    private boolean autoRead = true;
    private boolean delivering;
    private boolean headersSeen;
    private boolean failed;
    private boolean resetSent;
    /** The response's END_STREAM was written: the stream closing is its normal end. */
    private boolean endSent;
    private boolean closed;
    /** Next in the connection's list of streams read in the current batch. */
    Http2StreamCodec nextRead;
    boolean inReadList;

    Http2StreamCodec(Http2Streams connection, Http2FrameStream stream, Http2Stream state, DownstreamHandler handler) {
        this.connection = connection;
        this.stream = stream;
        this.state = state;
        this.handler = handler;
        handler.attach(this);
    }

    // ---- request: frames -> messages -------------------------------------------------------------

    /** A HEADERS or DATA frame of this stream, as the connection read it. */
    void onFrame(Http2StreamFrame frame) {
        if (closed) {
            ReferenceCountUtil.release(frame);
            return;
        }
        if (!autoRead || pending != null && !pending.isEmpty()) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(frame);
            return;
        }
        process(frame);
        connection.delivered(this);
    }

    private void process(Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame data) {
            final int flowControlled = data.initialFlowControlledBytes();
            if (failed) {
                data.release();
            } else {
                // The frame's buffer goes on in the content: ownership moves, nothing to release here.
                // A body's end carries no trailers (they come as a HEADERS frame): the shared empty
                // section, no table per request.
                handler.read(data.isEndStream() ? new DefaultLastHttpContent(data.content(), EmptyHttpHeaders.INSTANCE)
                        : new DefaultHttpContent(data.content()));
            }
            connection.consume(state, flowControlled);
        } else if (failed) {
            ReferenceCountUtil.release(frame);
        } else if (frame instanceof Http2HeadersFrame headers) {
            if (headersSeen) {
                trailers(headers);
            } else {
                headersSeen = true;
                head(headers);
            }
        } else {
            ReferenceCountUtil.release(frame);
        }
    }

    private void head(Http2HeadersFrame frame) {
        final Http2Headers h = frame.headers();
        if (AsciiString.contentEquals(HttpMethod.CONNECT.asciiName(), h.method())) {
            connect(frame);
            return;
        }
        if (!validHead(h)) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        final HttpHeaders fields;
        try {
            fields = Http2RequestFields.ofRequest(h);
        } catch (IllegalArgumentException invalidValue) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(h.method().toString()), h.path().toString(), fields);
        final boolean ended = frame.isEndStream();
        if (!ended && !HttpUtil.isContentLengthSet(request)) {
            // A body of unknown length follows in DATA frames: forwarded chunked over HTTP/1.1.
            fields.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            // The client waits for an interim 100 before it sends the body (RFC 9110 section
            // 10.1.1); the proxy answers it itself, and the backend never sees the expectation.
            connection.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(CONTINUE_STATUS), false)
                    .stream(stream), connection.voidPromise());
            connection.flush();
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        handler.read(request);
        if (ended) {
            handler.read(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private void trailers(Http2HeadersFrame frame) {
        if (!validTrailers(frame)) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        final LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        try {
            Http2RequestFields.addFields(frame.headers(), last.trailingHeaders());
        } catch (IllegalArgumentException invalidValue) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        handler.read(last);
    }

    /** Section 8.3.1: :method, :scheme and a non-empty :path. */
    private static boolean validHead(Http2Headers h) {
        return h.method() != null && h.method().length() > 0 && h.scheme() != null && h.scheme().length() > 0
                && h.path() != null && h.path().length() > 0;
    }

    /** Section 8.5: :authority only, else malformed; the gateway tunnels nothing (405, as over HTTP/1.1). */
    private void connect(Http2HeadersFrame frame) {
        final Http2Headers h = frame.headers();
        if (h.scheme() != null || h.path() != null || h.authority() == null) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        failed = true;
        endSent = true;
        connection.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                .status(HttpResponseStatus.METHOD_NOT_ALLOWED.codeAsText()), true).stream(stream),
                connection.voidPromise());
        connection.flush();
    }

    /** Section 8.1: trailers end the stream and carry no pseudo-header. */
    private static boolean validTrailers(Http2HeadersFrame frame) {
        if (!frame.isEndStream()) {
            return false;
        }
        for (java.util.Map.Entry<CharSequence, CharSequence> e : frame.headers()) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) == ':') {
                return false;
            }
        }
        return true;
    }

    /**
     * A stream error Netty's codec found (a header it refuses, a content-length it checked): reset
     * with the error's own code, as section 8.1.1 asks; frames still to come are dropped.
     */
    void streamError(Http2Error error) {
        if (!failed) {
            reset(error);
        }
    }

    private void reset(Http2Error error) {
        failed = true;
        releasePending();
        if (!resetSent) {
            resetSent = true;
            connection.write(new DefaultHttp2ResetFrame(error).stream(stream), connection.voidPromise());
            connection.flush();
        }
    }

    /** Hands on the frames that waited, while reading is on. */
    private void deliverPending() {
        if (delivering || pending == null || pending.isEmpty()) {
            return;
        }
        delivering = true;
        try {
            Http2StreamFrame frame;
            while (autoRead && !closed && (frame = pending.poll()) != null) {
                process(frame);
            }
        } finally {
            delivering = false;
        }
        connection.delivered(this);
    }

    private void releasePending() {
        Http2StreamFrame frame;
        while (pending != null && (frame = pending.poll()) != null) {
            ReferenceCountUtil.release(frame);
        }
    }

    /** The end of the connection's read batch (or of a delivery outside one). */
    void readComplete() {
        if (!closed) {
            handler.readComplete();
        }
    }

    void writabilityChanged() {
        if (!closed) {
            handler.writabilityChanged();
        }
    }

    /**
     * The stream closed. After the response's end that is its normal end, nothing to tell; before
     * it the client reset the stream or the connection closed, and the exchange ends.
     */
    void streamClosed() {
        if (closed) {
            return;
        }
        closed = true;
        releasePending();
        if (!endSent) {
            handler.closed();
        }
    }

    // ---- response: messages -> frames ------------------------------------------------------------

    @Override
    public void write(Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            final Http2Headers headers = Http2ResponseHeaders.head(response.status(), response.headers());
            if (!(msg instanceof FullHttpMessage full)) {
                connection.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream), promise);
                return;
            }
            final boolean body = full.content().isReadable();
            final boolean trailers = !full.trailingHeaders().isEmpty();
            if (!body && !trailers) {
                full.release();
                // A response that ends with its headers (a gRPC Trailers-Only one): one HEADERS frame.
                endSent = true;
                connection.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream), promise);
                return;
            }
            if (!trailers) {
                // HEADERS then the one DATA frame ending the stream: the DATA write fails too if the
                // HEADERS write did (the stream is gone), so its promise stands for both.
                connection.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream), connection.voidPromise());
                endSent = true;
                connection.write(new DefaultHttp2DataFrame(full.content(), true).stream(stream), promise);
                return;
            }
            final PromiseCombiner frames = new PromiseCombiner(connection.executor());
            frames.add(connection.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream)));
            writeLast(full, false, frames);
            frames.finish(promise);
            return;
        }
        if (msg instanceof LastHttpContent last) {
            final boolean trailers = !last.trailingHeaders().isEmpty();
            if (!trailers) {
                // The body's end, with or without bytes: one DATA frame ending the stream.
                endSent = true;
                connection.write(new DefaultHttp2DataFrame(last.content(), true).stream(stream), promise);
                return;
            }
            final PromiseCombiner frames = new PromiseCombiner(connection.executor());
            writeLast(last, true, frames);
            frames.finish(promise);
            return;
        }
        if (msg instanceof HttpContent content) {
            connection.write(new DefaultHttp2DataFrame(content.content(), false).stream(stream), promise);
            return;
        }
        ReferenceCountUtil.release(msg);
        promise.setFailure(new IllegalArgumentException("not an HTTP response message: " + msg.getClass()));
    }

    /**
     * The body's last part and trailers as frames; {@code emptyData} writes the DATA frame even
     * without bytes (never needed before trailers, which end the stream themselves).
     */
    private void writeLast(LastHttpContent last, boolean emptyData, PromiseCombiner frames) {
        final boolean trailers = !last.trailingHeaders().isEmpty();
        // Set before the frame that ends the stream is written: the stream may close within the write.
        endSent = true;
        if (last.content().isReadable() || emptyData && !trailers) {
            frames.add(connection.write(new DefaultHttp2DataFrame(last.content().retain(), !trailers).stream(stream)));
        }
        if (trailers) {
            frames.add(connection.write(new DefaultHttp2HeadersFrame(
                    Http2ResponseHeaders.trailers(last.trailingHeaders()), true).stream(stream)));
        }
        last.release();
    }

    // ---- the rest of Downstream ----------------------------------------------------------------------

    @Override
    public ChannelFuture writeAndFlush(Object msg) {
        final ChannelPromise promise = connection.newPromise();
        write(msg, promise);
        connection.flush();
        return promise;
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public ChannelPromise voidPromise() {
        return connection.voidPromise();
    }

    @Override
    public EventLoop eventLoop() {
        return connection.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return connection.alloc();
    }

    @Override
    public boolean isWritable() {
        return !closed && connection.isWritable(state);
    }

    @Override
    public boolean isActive() {
        return !closed && connection.isActive();
    }

    /** Resets the stream (CANCEL) unless it ended; its close event then ends the exchange. */
    @Override
    public void close() {
        if (!closed && !resetSent && state.state() != Http2Stream.State.CLOSED) {
            failed = true;
            releasePending();
            resetSent = true;
            connection.write(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream), connection.voidPromise());
            connection.flush();
        }
    }

    @Override
    public void closeAfter(ChannelFuture written) {
        written.addListener(this);
    }

    /** {@link #closeAfter}: the response's last write completed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        close();
    }

    @Override
    public boolean isAutoRead() {
        return autoRead;
    }

    @Override
    public void setAutoRead(boolean autoRead) {
        final boolean resumed = autoRead && !this.autoRead;
        this.autoRead = autoRead;
        if (resumed) {
            deliverPending();
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public String clientIp() {
        return connection.clientIp();
    }

    @Override
    public String sniHostname() {
        return connection.sniHostname();
    }

    @Override
    public String protocol(boolean http10) {
        return "HTTP/2";
    }
}
