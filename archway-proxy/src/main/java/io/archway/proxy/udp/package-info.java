/**
 * UDP listeners (UDPRoute): datagrams from one client address and port form a session, forwarded
 * to one endpoint of a backend picked by weight for that session; the backend's replies go back
 * to that client only.
 *
 * <p>Starting points: {@link io.archway.proxy.udp.UdpProxy} (per data plane: the handler of a
 * listening datagram socket), {@code UdpSessionTable} (sessions of one port: creation, bound and
 * eviction), {@code UdpSession} (one client: its connected upstream socket and idle expiry).
 */
package io.archway.proxy.udp;
