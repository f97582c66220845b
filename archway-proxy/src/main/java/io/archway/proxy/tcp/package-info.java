/**
 * TCP listeners (TCPRoute): each accepted connection is forwarded byte for byte to one endpoint
 * of a backend picked by weight.
 *
 * <p>Starting points: {@link io.archway.proxy.tcp.TcpProxy} (per data plane: installs the relay
 * on an accepted connection), {@code TcpRelay} (one proxied connection: connect, relay both ways
 * with backpressure, half-close, idle timeout, telemetry).
 */
package io.archway.proxy.tcp;
