package io.archway.proxy.http.h1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
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
 * The upstream HTTP/1.1 codec that goes with the slice parser: Netty's request encoder, except that
 * the fields of a request whose headers are {@link FieldLines} are written straight from the
 * received bytes ({@link FieldLines#encode}: no entry or view per field), and Netty's response
 * decoder, told the method of each request as {@code HttpClientCodec} tells it (no body after HEAD,
 * none after a 200 to CONNECT). Configured as the proxy configures {@code HttpClientCodec}: no
 * missing-response check, no HTTP parsing after CONNECT (the proxy never sends CONNECT upstream).
 */
public final class SliceClientCodec extends CombinedChannelDuplexHandler<SliceClientCodec.Decoder,
        SliceClientCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    public SliceClientCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    /** Netty's response decoder, told which request each response answers. */
    final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            final HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
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

    /** Netty's request encoder; received field lines are copied, not re-encoded entry by entry. */
    final class Encoder extends HttpRequestEncoder {
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
