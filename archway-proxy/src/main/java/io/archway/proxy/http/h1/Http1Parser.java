package io.archway.proxy.http.h1;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import java.util.Locale;

/**
 * Which HTTP/1.1 request decoder a downstream connection gets: Netty's {@link HttpServerCodec} (the
 * default) or the slice-forwarding {@link SliceServerCodec}, chosen with
 * {@code -Darchway.http1.parser=codec|slice} and read per connection. Both are configured by the same
 * {@link HttpDecoderConfig} and followed by the same handlers.
 */
public enum Http1Parser {
    CODEC,
    SLICE;

    /** The system property that selects the parser. */
    public static final String PROPERTY = "archway.http1.parser";

    /** The parser the system property selects (codec when unset). */
    public static Http1Parser configured() {
        final String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return CODEC;
        }
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    /** The downstream codec: decoder and response encoder, and the source codec of an h2c upgrade. */
    public ChannelHandler serverCodec(HttpDecoderConfig config) {
        return this == SLICE ? new SliceServerCodec(config) : new HttpServerCodec(config);
    }

    /** The upstream codec: the slice parser's writes received field lines as they were read. */
    public ChannelHandler clientCodec(HttpDecoderConfig config) {
        return this == SLICE ? new SliceClientCodec(config) : new HttpClientCodec(config, false, false);
    }

    /** Removes the upstream codec, whichever it is (the connection became a tunnel). */
    public static void removeClientCodec(ChannelPipeline pipeline) {
        if (pipeline.get(HttpClientCodec.class) != null) {
            pipeline.remove(HttpClientCodec.class);
        } else if (pipeline.get(SliceClientCodec.class) != null) {
            pipeline.remove(SliceClientCodec.class);
        }
    }

    /** Removes the downstream codec, whichever it is (the connection became a tunnel). */
    public static void removeServerCodec(ChannelPipeline pipeline) {
        if (pipeline.get(HttpServerCodec.class) != null) {
            pipeline.remove(HttpServerCodec.class);
        } else if (pipeline.get(SliceServerCodec.class) != null) {
            pipeline.remove(SliceServerCodec.class);
        }
    }
}
