/**
 * TLS. Termination: one server context per port ({@link io.archway.proxy.tls.ServerContexts}, by
 * the provider {@link io.archway.proxy.tls.TlsProvider} selects: BoringSSL, or the JDK), whose
 * {@code SniKeyManager} picks each handshake's certificate by SNI from the port's
 * {@link io.archway.proxy.tls.SniCertificateMapping} (exact, then the longest wildcard, then
 * subjectAltName, then the default; certificates parsed at compile time). {@code ServerContexts}
 * also keeps each listener's last good certificates when a new snapshot has none that loads, and
 * asks for client certificates as the socket's {@link io.archway.snapshot.FrontendValidation} says
 * ({@code ClientCertificateTrust});
 * {@link io.archway.proxy.tls.PemKeyMaterial} reads the PEM of {@code kubernetes.io/tls} Secrets
 * (PKCS#8, PKCS#1 and SEC1 keys) without BouncyCastle.
 *
 * <p>TLS listeners (TLSRoute, Passthrough and Terminate, mixed on one port):
 * {@link io.archway.proxy.tls.TlsRoutes} (a port's SNI dispatch and each Terminate listener's
 * certificates, compiled per snapshot), {@link io.archway.proxy.tls.TlsProxy} (per data plane:
 * reads the ClientHello of an accepted connection), {@code ClientHelloRouter} (Netty's ClientHello
 * parser, bounds, route choice, rejection; then a {@code HelloReplay} that hands the bytes read to
 * the TCP relay for Passthrough, or an SslHandler that completes the handshake for Terminate, after
 * which {@code BoringSslHalfClose} keeps TLS 1.3's half-close with BoringSSL).
 */
package io.archway.proxy.tls;
