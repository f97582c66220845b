/**
 * The HTTP/1.1 codecs of the proxy. {@link io.archway.proxy.http.h1.Http1ServerCodec} (downstream)
 * and {@link io.archway.proxy.http.h1.Http1ClientCodec} (upstream) are each a decoder and an encoder
 * as two plain pipeline handlers that share the request methods the combined Netty codecs share (no
 * body after HEAD, CONNECT's 2xx, the pipeline depth), without the delegating context that Netty's
 * {@code CombinedChannelDuplexHandler} adds to every message.
 *
 * <p>The downstream request decoder is Netty's (the default) or the slice-forwarding one, selected
 * with {@code -Darchway.http1.parser=slice} ({@link io.archway.proxy.http.h1.Http1Parser}; Netty's
 * decoder stays the default until the quiet-box A/B shows the win).
 * {@link io.archway.proxy.http.h1.RequestHeadParser} scans a request head once and keeps the
 * received bytes with the offsets of each field; {@link io.archway.proxy.http.h1.FieldLines} is
 * Netty's {@code HttpHeaders} over them, so everything after the codec (validation, routing, the
 * hop-by-hop strip, filters, the upstream encoder, mirrors, retries, the h2c upgrade, WebSocket
 * tunnels, Expect: 100-continue) runs unchanged, and a kept field line reaches the backend as the
 * received bytes (the upstream encoder copies the views). Bodies keep Netty's message framing;
 * chunked bodies go through Netty's own decoder ({@code ChunkedBody}).
 *
 * <p>The upstream response decoder is the slice-forwarding {@link io.archway.proxy.http.h1.ResponseHeadDecoder}
 * (the default; Netty's {@code HttpResponseDecoder} with {@code -Darchway.http1.responseParser=codec}):
 * {@link io.archway.proxy.http.h1.ResponseHeadParser} reads a backend's status line and field lines into a
 * {@link io.archway.proxy.http.h1.FieldLines}, and the downstream encoder copies the kept field lines
 * as received. The line, field-line and framing rules of both parsers are one implementation,
 * {@link io.archway.proxy.http.h1.HeadParser}. Proof: {@code ResponseParserDifferentialTest} (random
 * response streams through both decoders) and {@code ResponseHeadDecoderTest} (each defence).
 *
 * <p>Proof that it accepts and forwards what the codec does: {@code SliceParserDifferentialTest}
 * (random request streams through both decoders), and the malformed-request and smuggling tests
 * ({@code HttpProxyHandlerTest}, {@code DataPlaneRoutingTest}, {@code DataPlaneUpstreamBytesTest})
 * run over both parsers.
 */
package io.archway.proxy.http.h1;
