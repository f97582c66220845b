package io.archway.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The RFC 9113 section 8 rules for one request stream that Netty's HTTP/2 codec leaves to the
 * application, checked on the frames before they become HTTP messages: a malformed request gets
 * a stream error of type PROTOCOL_ERROR (section 8.1.1) and its frames are never forwarded.
 * Netty's codec already rejects invalid or upper-case names, unknown, duplicate or misplaced
 * pseudo-headers, connection-specific fields (section 8.2.2, TE other than "trailers" included)
 * and a content-length that does not parse or does not equal the DATA received (section 8.1.1),
 * as stream errors this handler sends with their own code (not the CANCEL a closing handler
 * further down would send); this adds the mandatory request pseudo-headers (section 8.3.1),
 * CONNECT (section 8.5: answered 405, as over HTTP/1.1) and trailers without pseudo-headers.
 */
public final class Http2RequestValidator extends ChannelInboundHandlerAdapter {
    private boolean headersSeen;
    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame frame) {
            final boolean trailers = headersSeen;
            headersSeen = true;
            if (!trailers && HttpMethod.CONNECT.name().contentEquals(String.valueOf(frame.headers().method()))) {
                connect(ctx, frame);
                return;
            }
            if (trailers ? !validTrailers(frame) : !validHead(frame.headers())) {
                reset(ctx, msg);
                return;
            }
        }
        ctx.fireChannelRead(msg);
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
}
