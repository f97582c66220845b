package io.archway.proxy.http.h1;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.Locale;

/**
 * Which HTTP/1.1 request decoder a downstream connection's {@link Http1ServerCodec} gets: Netty's
 * {@link HttpRequestDecoder} (the default) or the slice-forwarding {@link RequestHeadDecoder}, chosen
 * with {@code -Darchway.http1.parser=codec|slice} and read per connection. Both are configured by the
 * same {@link HttpDecoderConfig} and followed by the same handlers.
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

    /** The downstream codec: request decoder and response encoder, and the source codec of an h2c upgrade. */
    public Http1ServerCodec serverCodec(HttpDecoderConfig config) {
        return new Http1ServerCodec(this, config);
    }
}
