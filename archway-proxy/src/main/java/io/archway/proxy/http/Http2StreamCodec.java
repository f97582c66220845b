package io.archway.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
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
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;

/**
 * The one handler in front of a downstream HTTP/2 stream's {@link HttpProxyHandler}: it checks the
 * RFC 9113 section 8 request rules Netty's codec leaves to the application, turns the request's
 * frames into the HTTP message objects the proxy handles for both protocols, answers
 * {@code Expect: 100-continue}, and turns the response's messages back into frames. It replaces
 * the three per-stream handlers this took before (a validator, Netty's
 * {@code Http2StreamFrameToHttpObjectCodec} and {@code HttpServerExpectContinueHandler}): one
 * handler context per stream instead of three, and no message passes a handler that has nothing to
 * do with it.
 *
 * <p>Request rules. A malformed request gets a stream error of type PROTOCOL_ERROR (section 8.1.1)
 * and none of its frames is forwarded. Netty's codec already rejects invalid or upper-case names,
 * unknown, duplicate or misplaced pseudo-headers, connection-specific fields (section 8.2.2, TE
 * other than "trailers" included), trailers without END_STREAM or with pseudo-headers, and a
 * content-length that does not parse or does not equal the DATA received (section 8.1.1), as stream
 * errors this handler sends with their own code (not the CANCEL a closing handler further down
 * would send). This adds the mandatory request pseudo-headers (section 8.3.1: {@code :method},
 * {@code :scheme}, a non-empty {@code :path}), CONNECT (section 8.5: {@code :authority} only,
 * answered 405 as over HTTP/1.1) and trailers that do not end the stream or carry a pseudo-header.
 *
 * <p>Conversion. A request's header block becomes HTTP/1 fields through {@link Http2RequestFields}
 * (Host from {@code :authority}, cookie crumbs joined into one field as section 8.2.3 asks, a value
 * Netty's validating HTTP/1 headers refuse is a malformed request); a response's fields become a
 * header block through {@link Http2ResponseHeaders} (connection-specific fields dropped); a
 * request whose body follows without a content-length is marked chunked, so the HTTP/1.1 side
 * re-frames it; a request that ends with its headers is the request followed by an
 * empty last content, as over HTTP/1.1.
 */
public final class Http2StreamCodec extends ChannelDuplexHandler {
    private static final CharSequence CONTINUE_STATUS = HttpResponseStatus.CONTINUE.codeAsText();

    private boolean headersSeen;
    private boolean failed;

    // ---- request: frames -> messages -------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame frame) {
            if (headersSeen) {
                trailers(ctx, frame);
            } else {
                headersSeen = true;
                head(ctx, frame);
            }
        } else if (msg instanceof Http2DataFrame data) {
            // The frame's buffer goes on in the content: ownership moves, nothing to release here.
            // A body's end carries no trailers (they come as a HEADERS frame): the small table.
            ctx.fireChannelRead(data.isEndStream() ? new DefaultLastHttpContent(data.content(), SmallTrailers.FACTORY)
                    : new DefaultHttpContent(data.content()));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void head(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        final Http2Headers h = frame.headers();
        if (AsciiString.contentEquals(HttpMethod.CONNECT.asciiName(), h.method())) {
            connect(ctx, frame);
            return;
        }
        if (!validHead(h)) {
            reset(ctx, frame);
            return;
        }
        final HttpHeaders fields;
        try {
            fields = Http2RequestFields.ofRequest(h);
        } catch (IllegalArgumentException invalidValue) {
            reset(ctx, frame);
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
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(CONTINUE_STATUS), false),
                    ctx.voidPromise());
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        ctx.fireChannelRead(request);
        if (ended) {
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private void trailers(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        if (!validTrailers(frame)) {
            reset(ctx, frame);
            return;
        }
        final LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        try {
            Http2RequestFields.addFields(frame.headers(), last.trailingHeaders());
        } catch (IllegalArgumentException invalidValue) {
            reset(ctx, frame);
            return;
        }
        ctx.fireChannelRead(last);
    }

    /** Section 8.3.1: :method, :scheme and a non-empty :path. */
    private static boolean validHead(Http2Headers h) {
        return h.method() != null && h.method().length() > 0 && h.scheme() != null && h.scheme().length() > 0
                && h.path() != null && h.path().length() > 0;
    }

    /** Section 8.5: :authority only, else malformed; the gateway tunnels nothing (405, as over HTTP/1.1). */
    private void connect(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        final Http2Headers h = frame.headers();
        if (h.scheme() != null || h.path() != null || h.authority() == null) {
            reset(ctx, frame);
            return;
        }
        failed = true;
        ReferenceCountUtil.release(frame);
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                .status(HttpResponseStatus.METHOD_NOT_ALLOWED.codeAsText()), true));
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
     * A stream error Netty's codec found (a header it refuses, a content-length it checked) comes
     * here before any handler that would close the stream with CANCEL: reset it with the error's
     * own code, as section 8.1.1 asks.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception e && !failed) {
            failed = true;
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(e.error()));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void reset(ChannelHandlerContext ctx, Object msg) {
        failed = true;
        ReferenceCountUtil.release(msg);
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
    }

    // ---- response: messages -> frames ------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            final Http2Headers headers = Http2ResponseHeaders.head(response.status(), response.headers());
            if (!(msg instanceof FullHttpMessage full)) {
                ctx.write(new DefaultHttp2HeadersFrame(headers, false), promise);
                return;
            }
            final boolean body = full.content().isReadable();
            final boolean trailers = !full.trailingHeaders().isEmpty();
            if (!body && !trailers) {
                full.release();
                // A response that ends with its headers (a gRPC Trailers-Only one): one HEADERS frame.
                ctx.write(new DefaultHttp2HeadersFrame(headers, true), promise);
                return;
            }
            final PromiseCombiner frames = new PromiseCombiner(ctx.executor());
            frames.add(ctx.write(new DefaultHttp2HeadersFrame(headers, false)));
            writeLast(ctx, full, false, frames);
            frames.finish(promise);
            return;
        }
        if (msg instanceof LastHttpContent last) {
            final boolean trailers = !last.trailingHeaders().isEmpty();
            if (!trailers) {
                // The body's end, with or without bytes: one DATA frame ending the stream.
                ctx.write(new DefaultHttp2DataFrame(last.content(), true), promise);
                return;
            }
            final PromiseCombiner frames = new PromiseCombiner(ctx.executor());
            writeLast(ctx, last, true, frames);
            frames.finish(promise);
            return;
        }
        if (msg instanceof HttpContent content) {
            ctx.write(new DefaultHttp2DataFrame(content.content(), false), promise);
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * The body's last part and trailers as frames; {@code emptyData} writes the DATA frame even
     * without bytes (never needed before trailers, which end the stream themselves).
     */
    private static void writeLast(ChannelHandlerContext ctx, LastHttpContent last, boolean emptyData,
                                  PromiseCombiner frames) {
        final boolean trailers = !last.trailingHeaders().isEmpty();
        if (last.content().isReadable() || emptyData && !trailers) {
            frames.add(ctx.write(new DefaultHttp2DataFrame(last.content().retain(), !trailers)));
        }
        if (trailers) {
            frames.add(ctx.write(new DefaultHttp2HeadersFrame(
                    Http2ResponseHeaders.trailers(last.trailingHeaders()), true)));
        }
        last.release();
    }
}
