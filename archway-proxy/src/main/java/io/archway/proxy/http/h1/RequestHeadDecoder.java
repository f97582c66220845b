package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The slice-forwarding HTTP/1.1 request decoder ({@code -Darchway.http1.parser=slice}): the head is
 * scanned once by {@link RequestHeadParser} and handed on as a {@link DefaultHttpRequest} whose
 * headers are {@link FieldLines} over the received bytes; bodies keep Netty's message framing
 * ({@link io.netty.handler.codec.http.HttpContent} slices of at most maxChunkSize, then a
 * {@link LastHttpContent}), so everything after the codec is unchanged. Chunked bodies and their
 * trailers go through Netty's own chunked decoder ({@link ChunkedBody}): one implementation of that
 * framing.
 *
 * <p>Failures are reported as Netty's decoder reports them (a request whose decoder result is a
 * failure: {@link TooLongHttpLineException} 414, {@link TooLongHttpHeaderException} 431, anything
 * else 400; a failed last content inside a chunked body), after which every byte is discarded.
 */
public final class RequestHeadDecoder extends ByteToMessageDecoder {
    private enum State { HEAD, FIXED, CHUNKED, BAD }

    private final HttpDecoderConfig config;
    private final FixedLengthBody fixed;
    private final RequestHeadParser parser;
    private State state = State.HEAD;
    private ChunkedBody chunked;
    /** Told each request's method; false refuses the request (too many responses outstanding). */
    private final Predicate<HttpMethod> requests;

    public RequestHeadDecoder(HttpDecoderConfig config) {
        this(config, method -> true);
    }

    RequestHeadDecoder(HttpDecoderConfig config, Predicate<HttpMethod> requests) {
        this.config = config;
        this.requests = requests;
        this.fixed = new FixedLengthBody(config);
        this.parser = new RequestHeadParser(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
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
            default:
                in.skipBytes(in.readableBytes());
        }
    }

    private void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        final RequestHeadParser.Head head;
        try {
            head = parser.parse(in);
        } catch (TooLongHttpLineException | TooLongHttpHeaderException | IllegalArgumentException e) {
            fail(in, out, e);
            return;
        }
        if (head == null) {
            return;
        }
        if (!requests.test(head.method())) {
            // As HttpServerCodec: the connection is beyond saving; exceptionCaught closes it.
            state = State.BAD;
            in.skipBytes(in.readableBytes());
            throw new IllegalStateException("maxPipelineDepth exceeded: " + Http1ServerCodec.MAX_PIPELINE_DEPTH);
        }
        final HttpRequest request = new DefaultHttpRequest(head.version(), head.method(), head.uri(), head.fields(),
                false);
        out.add(request);
        if (head.chunked()) {
            if (chunked == null) {
                chunked = new ChunkedBody(config);
            }
            chunked.start(ctx, head.headerSize());
            state = State.CHUNKED;
        } else if (head.contentLength() > 0) {
            fixed.start(head.contentLength());
            state = State.FIXED;
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }


    private void fail(ByteBuf in, List<Object> out, Exception cause) {
        state = State.BAD;
        parser.reset();
        in.skipBytes(in.readableBytes());
        out.add(invalid(cause));
    }

    /** What Netty's request decoder hands on for a head it cannot decode. */
    private static HttpRequest invalid(Exception cause) {
        final HttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                Unpooled.buffer(0));
        bad.setDecoderResult(DecoderResult.failure(cause));
        return bad;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        // As Netty's decoder: a head cut off after its request line is reported; a cut-off body is not
        // (a request's body is never read to the connection's end).
        if (state == State.HEAD && parser.startLineRead()) {
            out.add(invalid(new PrematureChannelClosureException("Connection closed before received headers")));
        }
        state = State.HEAD;
        parser.reset();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        // HttpServerExpectContinueHandler answered 417: the body will not be sent (as Netty's decoder).
        if (evt instanceof HttpExpectationFailedEvent && (state == State.FIXED || state == State.CHUNKED)) {
            state = State.HEAD;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (chunked != null) {
            chunked.dispose();
        }
        super.handlerRemoved0(ctx);
    }
}
