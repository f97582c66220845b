/**
 * The slice-forwarding HTTP/1.1 request decoder, selected with {@code -Darchway.http1.parser=slice}
 * ({@link io.archway.proxy.http.h1.Http1Parser}; Netty's {@code HttpServerCodec} stays the default
 * until the quiet-box A/B shows the win).
 *
 * <p>{@link io.archway.proxy.http.h1.RequestHeadParser} scans a request head once and keeps the
 * received bytes with the offsets of each field; {@link io.archway.proxy.http.h1.FieldLines} is
 * Netty's {@code HttpHeaders} over them, so everything after the codec (validation, routing, the
 * hop-by-hop strip, filters, the upstream encoder, mirrors, retries, the h2c upgrade, WebSocket
 * tunnels, Expect: 100-continue) runs unchanged, and a kept field line reaches the backend as the
 * received bytes (the encoder copies the views). Bodies keep Netty's message framing; chunked
 * bodies go through Netty's own decoder ({@code ChunkedBody}). {@link
 * io.archway.proxy.http.h1.SliceServerCodec} pairs the decoder with Netty's response encoder as
 * {@code HttpServerCodec} does.
 *
 * <p>Proof that it accepts and forwards what the codec does: {@code SliceParserDifferentialTest}
 * (random request streams through both decoders), and the malformed-request and smuggling tests
 * ({@code HttpProxyHandlerTest}, {@code DataPlaneRoutingTest}, {@code DataPlaneUpstreamBytesTest})
 * run over both parsers.
 */
package io.archway.proxy.http.h1;
