package io.archway.proxy.http.h1;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The downstream HTTP/1.1 codec with the slice-forwarding request decoder: {@link RequestHeadDecoder}
 * in, Netty's {@link HttpResponseEncoder} out, tied together as {@code HttpServerCodec} ties its
 * halves: the encoder knows which request each response answers (a response to HEAD has no body; a
 * 2xx to CONNECT has no Transfer-Encoding), and at most {@link #MAX_PIPELINE_DEPTH} requests may
 * wait for their responses. Like {@code HttpServerCodec} it is the source codec of an h2c upgrade.
 */
public final class SliceServerCodec extends CombinedChannelDuplexHandler<RequestHeadDecoder, SliceServerCodec.Encoder>
        implements HttpServerUpgradeHandler.SourceCodec {
    /** HttpServerCodec's default. */
    static final int MAX_PIPELINE_DEPTH = 128;

    /** The methods of the requests whose responses are still to be written, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    public SliceServerCodec(HttpDecoderConfig config) {
        init(new RequestHeadDecoder(config, this::enqueue), new Encoder());
    }

    /** False once {@link #MAX_PIPELINE_DEPTH} responses are outstanding (the decoder then fails). */
    private boolean enqueue(HttpMethod method) {
        if (methods.size() >= MAX_PIPELINE_DEPTH) {
            return false;
        }
        methods.add(method);
        return true;
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    /** The response encoder: no body after a HEAD request, no Transfer-Encoding on a CONNECT's 2xx. */
    final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
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
