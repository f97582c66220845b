package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The upstream HTTP/1.1 codec as two plain handlers, a request encoder ({@value #ENCODER}) and a
 * response decoder ({@value #DECODER}), instead of Netty's {@link HttpClientCodec}, whose
 * {@code CombinedChannelDuplexHandler} passes every message through one more delegating context. The
 * pair shares what the combined codec shares: the method of each request written, so that the
 * decoder reads no body after a response to HEAD (RFC 9112 section 6.3) and none after a 200 to
 * CONNECT (the proxy never sends CONNECT upstream; kept for parity). Configured as the proxy
 * configured {@code HttpClientCodec}: no missing-response check (the exchange notices a closed
 * connection itself).
 *
 * <p>The decoder is the slice-forwarding {@link ResponseHeadDecoder} (kept field lines reach the client
 * as received), or Netty's {@link HttpResponseDecoder} with {@code -Darchway.http1.responseParser=codec}.
 *
 * <p>The encoder writes the fields of a request whose headers are {@link FieldLines} (the slice
 * parser's) straight from the received bytes ({@link FieldLines#encode}: no entry or view per field),
 * and any other headers as Netty's encoder does.
 */
public final class Http1ClientCodec {
    /** The decoder's name in the pipeline. */
    public static final String DECODER = "h1-decoder";
    /** The encoder's name in the pipeline. */
    public static final String ENCODER = "h1-encoder";

    /** The methods of the requests written whose responses are still to be read, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
    /**
     * The system property that selects the response decoder: {@code slice} ({@link ResponseHeadDecoder},
     * the default) or {@code codec} (Netty's {@link HttpResponseDecoder}, for A/B measurements).
     */
    public static final String RESPONSE_PARSER_PROPERTY = "archway.http1.responseParser";

    private final ChannelHandler decoder;
    private final Encoder encoder = new Encoder();

    public Http1ClientCodec(HttpDecoderConfig config) {
        this(config, !"codec".equalsIgnoreCase(System.getProperty(RESPONSE_PARSER_PROPERTY, "slice").trim()));
    }

    /** With the slice-forwarding response decoder, or Netty's. */
    public Http1ClientCodec(HttpDecoderConfig config, boolean sliceResponses) {
        this.decoder = sliceResponses ? new ResponseHeadDecoder(config, methods) : new Decoder(config);
    }

    /** Adds the encoder and the decoder at the pipeline's end. */
    public void addLast(ChannelPipeline pipeline) {
        pipeline.addLast(ENCODER, encoder).addLast(DECODER, decoder);
    }

    /**
     * Removes the codec (the connection became a tunnel). The decoder goes first: its removal hands
     * the bytes it still holds to the next inbound handler, in order.
     */
    public static void remove(ChannelPipeline pipeline) {
        if (pipeline.get(DECODER) != null) {
            pipeline.remove(DECODER);
        }
        if (pipeline.get(ENCODER) != null) {
            pipeline.remove(ENCODER);
        }
    }

    /** Netty's response decoder, told which request each response answers. */
    private final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            final HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // A 1xx is not the response to the request: the final response follows.
                return super.isContentAlwaysEmpty(msg);
            }
            final HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)
                    || HttpMethod.CONNECT.equals(method) && response.status().code() == 200) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    /** Netty's request encoder, noting each request's method; received field lines are copied. */
    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                methods.offer(request.method());
            }
            super.encode(ctx, msg, out);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof FieldLines fields) {
                fields.encode(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }
    }
}
