/**
 * TLS. Termination: {@link io.archway.proxy.tls.SniCertificateMapping} picks the certificate by SNI
 * from SslContexts built at compile time; {@link io.archway.proxy.tls.PemKeyMaterial} reads the
 * PEM of {@code kubernetes.io/tls} Secrets (PKCS#8 and PKCS#1 keys) without BouncyCastle.
 *
 * <p>Passthrough (TLSRoute): {@link io.archway.proxy.tls.PassthroughRoutes} (a port's SNI dispatch,
 * compiled per snapshot), {@link io.archway.proxy.tls.PassthroughProxy} (per data plane: reads the
 * ClientHello of an accepted connection), {@code ClientHelloRouter} (Netty's ClientHello parser,
 * bounds, route choice, rejection), {@code HelloReplay} (hands the bytes read to the TCP relay,
 * which forwards them first).
 */
package io.archway.proxy.tls;
