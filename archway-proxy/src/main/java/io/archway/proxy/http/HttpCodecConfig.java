package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpDecoderConfig;

/** Decoder settings of the downstream HTTP/1.1 codec. */
public final class HttpCodecConfig {
    private HttpCodecConfig() {
    }

    /**
     * Strict request decoding: limits from the proxy config (the codec reports a too-long request
     * line and too-large headers with distinct exceptions, answered 414 and 431), and RFC 9112
     * framing rules instead of Netty's lenient defaults.
     */
    public static HttpDecoderConfig server(int maxInitialLineLength, int maxHeaderSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(65536)
                // Reject Content-Length together with Transfer-Encoding, and a final coding other
                // than chunked (RFC 9112 section 6.3), instead of silently dropping Content-Length.
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setValidateHeaders(true)
                .setTrailersFactory(SmallTrailers.FACTORY);
    }

    /** Decoder settings of the upstream HTTP/1.1 codec (responses from backends; validating). */
    public static HttpDecoderConfig client() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(16384)
                .setMaxHeaderSize(65536)
                .setMaxChunkSize(65536)
                .setTrailersFactory(SmallTrailers.FACTORY);
    }
}
