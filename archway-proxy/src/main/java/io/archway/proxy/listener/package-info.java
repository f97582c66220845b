/**
 * Sockets, the snapshot swap, and draining.
 *
 * <p>Starting points: {@link io.archway.proxy.listener.ListenerManager} (bind new ports all or
 * nothing, swap, drain removed ports: stop accepting, close idle connections, send
 * {@code Connection: close} on the next HTTP/1.1 response or GOAWAY on HTTP/2, force-close after
 * the drain timeout), {@code DownstreamChannelInitializer} (pipeline per connection),
 * {@link io.archway.proxy.listener.ProtocolSniffer} (HTTP/1.1 or h2c prior knowledge). Each socket
 * serves one {@code ServedPort} kind: HTTP/HTTPS here and in {@code proxy.http}, TCP in
 * {@code proxy.tcp} (a listening socket), UDP in {@code proxy.udp} (a datagram socket).
 */
package io.archway.proxy.listener;
