/**
 * Sockets, the snapshot swap, and draining.
 *
 * <p>Starting points: {@link io.archway.proxy.listener.ListenerManager} (bind new ports all or
 * nothing, swap, drain removed ports: stop accepting, close idle connections, send
 * {@code Connection: close} on the next HTTP/1.1 response or GOAWAY on HTTP/2, force-close after
 * the drain timeout), {@code DownstreamChannelInitializer} (pipeline per connection),
 * {@link io.archway.proxy.listener.ProtocolSniffer} (HTTP/1.1 or h2c prior knowledge).
 */
package io.archway.proxy.listener;
