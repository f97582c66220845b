/**
 * TLS termination: {@link io.archway.proxy.tls.SniCertificateMapping} picks the certificate by SNI
 * from SslContexts built at compile time; {@link io.archway.proxy.tls.PemKeyMaterial} reads the
 * PEM of {@code kubernetes.io/tls} Secrets (PKCS#8 and PKCS#1 keys) without BouncyCastle.
 */
package io.archway.proxy.tls;
