package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec as two plain handlers, a request decoder ({@value #DECODER}) and a
 * response encoder ({@value #ENCODER}), instead of Netty's {@link HttpServerCodec}, a
 * {@code CombinedChannelDuplexHandler} that passes every message in both directions through one more
 * delegating context (3 % of the event loop's samples for its {@code channelRead} alone). What the
 * combined codec ties together is kept here: the methods of the requests whose responses are still to
 * be written, oldest first, so that a response to HEAD gets no body and a 2xx to CONNECT no
 * Transfer-Encoding (RFC 9112 sections 6.1 and 6.3), at most {@link #MAX_PIPELINE_DEPTH} pipelined
 * requests outstanding, and the close after the response to a request whose framing could not be
 * trusted. Like {@code HttpServerCodec} it is the source codec of an h2c upgrade.
 *
 * <p>The decoder is Netty's {@link HttpRequestDecoder} ({@link Http1Parser#CODEC}) or the
 * slice-forwarding {@link RequestHeadDecoder} ({@link Http1Parser#SLICE}); the encoder is Netty's
 * {@link HttpResponseEncoder} either way.
 */
public final class Http1ServerCodec implements HttpServerUpgradeHandler.SourceCodec {
    /** The decoder's name in the pipeline. */
    public static final String DECODER = "h1-decoder";
    /** The encoder's name in the pipeline. */
    public static final String ENCODER = "h1-encoder";
    /** HttpServerCodec's default. */
    static final int MAX_PIPELINE_DEPTH = 128;

    /** The methods of the requests whose responses are still to be written, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    /** Set by the decoder for a request that carried both Content-Length and chunked framing. */
    private boolean mustCloseAfterResponse;
    private final ChannelHandler decoder;
    private final Encoder encoder = new Encoder();

    Http1ServerCodec(Http1Parser parser, HttpDecoderConfig config) {
        this.decoder = parser == Http1Parser.SLICE ? new RequestHeadDecoder(config, this::enqueue) : new Decoder(config);
    }

    /** Adds the encoder and the decoder after {@code base}; returns the name of the last one added. */
    public String addAfter(ChannelPipeline pipeline, String base) {
        pipeline.addAfter(base, ENCODER, encoder).addAfter(ENCODER, DECODER, decoder);
        return DECODER;
    }

    /** Adds the encoder and the decoder at the pipeline's end. */
    public void addLast(ChannelPipeline pipeline) {
        pipeline.addLast(ENCODER, encoder).addLast(DECODER, decoder);
    }

    /** The h2c upgrade: HTTP/1.1 ends on this connection. */
    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        remove(ctx.pipeline());
    }

    /**
     * Removes the codec (the connection became a tunnel or upgraded to h2c). The decoder goes first:
     * its removal hands the bytes it still holds to the next inbound handler, in order.
     */
    public static void remove(ChannelPipeline pipeline) {
        if (pipeline.get(DECODER) != null) {
            pipeline.remove(DECODER);
        }
        if (pipeline.get(ENCODER) != null) {
            pipeline.remove(ENCODER);
        }
    }

    /** False once {@link #MAX_PIPELINE_DEPTH} responses are outstanding (the decoder then fails). */
    private boolean enqueue(HttpMethod method) {
        if (methods.size() >= MAX_PIPELINE_DEPTH) {
            return false;
        }
        methods.add(method);
        return true;
    }

    /** Netty's request decoder, telling the encoder the method of each request it decodes. */
    private final class Decoder extends HttpRequestDecoder {
        /** Past the pipeline depth: the connection is beyond saving, every further byte is dropped. */
        private boolean discard;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (discard) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            final int before = out.size();
            super.decode(ctx, buffer, out);
            final int after = out.size();
            for (int i = before; i < after; i++) {
                final Object msg = out.get(i);
                if (msg instanceof HttpRequest request && !enqueue(request.method())) {
                    // As HttpServerCodec: release what was decoded and fail; exceptionCaught closes.
                    mustCloseAfterResponse = true;
                    discard = true;
                    for (int j = i; j < after; j++) {
                        ReferenceCountUtil.release(out.get(j));
                    }
                    out.subList(i, after).clear();
                    throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_PIPELINE_DEPTH);
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            mustCloseAfterResponse = true;
        }
    }

    /**
     * Netty's response encoder: no body after a HEAD request, no Transfer-Encoding on a CONNECT's 2xx,
     * and a whole response with a body larger than {@value #MERGED_BODY_MAX} bytes written as its head
     * and its body.
     */
    private final class Encoder extends HttpResponseEncoder {
        /**
         * Netty's encoder copies a whole response's body into the head's buffer up to this size
         * ({@code HttpObjectEncoder.COPY_CONTENT_THRESHOLD}): one buffer, one write.
         */
        static final int MERGED_BODY_MAX = 128;

        /** The method of the request the response being written answers. */
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (mustCloseAfterResponse && msg instanceof LastHttpContent) {
                mustCloseAfterResponse = false;
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
            if (msg instanceof FullHttpResponse full && full.content().readableBytes() > MERGED_BODY_MAX) {
                // A larger body would make Netty's encoder write two buffers through a PromiseCombiner
                // (a combiner and a promise per buffer, 1.9 % of the loop's samples with 4 KiB
                // bodies). Written as a head, whose failure closes the connection as any failed
                // write does, and its body with the caller's promise, which completes last; the
                // body's buffer goes out as received, not copied.
                super.write(ctx, new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()),
                        ctx.voidPromise());
                super.write(ctx, new DefaultLastHttpContent(full.content(), full.trailingHeaders()), promise);
                return;
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        /** A backend's received field lines ({@link ResponseHeadDecoder}) are copied as received. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof FieldLines fields) {
                fields.encode(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
