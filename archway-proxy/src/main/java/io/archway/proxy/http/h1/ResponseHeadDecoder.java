package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Queue;
import java.util.List;

/**
 * The slice-forwarding HTTP/1.1 response decoder of an upstream connection: the head is scanned once
 * by {@link ResponseHeadParser} and handed on as a {@link DefaultHttpResponse} whose headers are
 * {@link FieldLines} over the received bytes, so the kept field lines reach the client as received
 * (the downstream encoder copies them) and only edited ones are encoded again. Bodies keep Netty's
 * message framing ({@link io.netty.handler.codec.http.HttpContent} slices of at most maxChunkSize,
 * then a {@link LastHttpContent}); chunked bodies and trailers go through Netty's own chunked decoder
 * ({@link ChunkedBody}).
 *
 * <p>Which responses have a body (RFC 9112 section 6.3), in Netty's order: none for an interim 1xx
 * (which answers no request: the method queue is not touched), a 204 or 304, the response to HEAD and
 * a 200 to CONNECT; otherwise chunked, Content-Length, or everything up to the connection's close.
 * After a 101 that switches to something other than HTTP/1.x the bytes that follow are handed on as
 * they are. A head that fails is reported as Netty's decoder reports it (a response with a failed
 * decoder result, which the exchange answers 502), and every later byte is discarded; so is a head
 * cut off by the close. A body cut off by the close gets no last content (the exchange sees the close).
 */
final class ResponseHeadDecoder extends ByteToMessageDecoder {
    /** What Netty's response decoder hands on for a head it cannot decode. */
    private static final HttpResponseStatus UNKNOWN = new HttpResponseStatus(999, "Unknown");

    private enum State { HEAD, FIXED, CHUNKED, UNTIL_CLOSE, UPGRADED, BAD }

    private final HttpDecoderConfig config;
    private final FixedLengthBody fixed;
    private final ResponseHeadParser parser;
    /** The methods of the requests written whose responses are outstanding, oldest first. */
    private final Queue<HttpMethod> methods;
    private State state = State.HEAD;
    private ChunkedBody chunked;

    ResponseHeadDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        this.config = config;
        this.methods = methods;
        this.fixed = new FixedLengthBody(config);
        this.parser = new ResponseHeadParser(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD:
                decodeHead(ctx, in, out);
                return;
            case FIXED:
                if (fixed.feed(in, out)) {
                    state = State.HEAD;
                }
                return;
            case CHUNKED:
                if (chunked.feed(ctx, in, out)) {
                    state = out.get(out.size() - 1) instanceof LastHttpContent last && last.decoderResult().isFailure()
                            ? State.BAD : State.HEAD;
                }
                return;
            case UNTIL_CLOSE:
                if (in.isReadable()) {
                    out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
                }
                return;
            case UPGRADED:
                if (in.isReadable()) {
                    out.add(in.readBytes(in.readableBytes()));
                }
                return;
            default:
                in.skipBytes(in.readableBytes());
        }
    }

    private void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        final ResponseHeadParser.Head head;
        try {
            head = parser.parse(in);
        } catch (RuntimeException e) {
            state = State.BAD;
            parser.reset();
            in.skipBytes(in.readableBytes());
            out.add(invalid(e));
            return;
        }
        if (head == null) {
            return;
        }
        final HttpResponse response = new DefaultHttpResponse(head.version(), head.status(), head.fields());
        out.add(response);
        final int code = head.status().code();
        if (contentAlwaysEmpty(code)) {
            if (head.chunked()) {
                HttpUtil.setTransferEncodingChunked(response, false); // as Netty's decoder
            }
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            if (switchesToNonHttp1(response)) {
                state = State.UPGRADED;
            }
        } else if (head.chunked()) {
            if (chunked == null) {
                chunked = new ChunkedBody(config);
            }
            chunked.start(ctx, head.headerSize());
            state = State.CHUNKED;
        } else if (head.contentLength() > 0) {
            fixed.start(head.contentLength());
            state = State.FIXED;
        } else if (head.contentLength() == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            state = State.UNTIL_CLOSE;
        }
    }

    /** RFC 9112 section 6.3 items 1 and 2, and RFC 9110 section 9.3.6 (a 2xx to CONNECT). */
    private boolean contentAlwaysEmpty(int code) {
        if (code < 200) {
            return true; // an interim response: the final one, which answers the request, follows
        }
        final HttpMethod method = methods.poll();
        return code == 204 || code == 304 || HttpMethod.HEAD.equals(method)
                || HttpMethod.CONNECT.equals(method) && code == 200;
    }

    /** Netty's rule: a 101 to anything but HTTP/1.x ends HTTP/1.1 on the connection. */
    private static boolean switchesToNonHttp1(HttpResponse response) {
        if (response.status().code() != 101) {
            return false;
        }
        final String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        return protocol == null || !protocol.contains(HttpVersion.HTTP_1_0.text())
                && !protocol.contains(HttpVersion.HTTP_1_1.text());
    }


    private static HttpResponse invalid(Exception cause) {
        final HttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_0, UNKNOWN, Unpooled.buffer(0));
        bad.setDecoderResult(DecoderResult.failure(cause));
        return bad;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (state == State.UNTIL_CLOSE) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT); // the close ends a body without framing
            state = State.HEAD;
        } else if (state == State.HEAD && parser.startLineRead()) {
            out.add(invalid(new PrematureChannelClosureException("Connection closed before received headers")));
        }
        parser.reset();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (chunked != null) {
            chunked.dispose();
        }
        super.handlerRemoved0(ctx);
    }
}
