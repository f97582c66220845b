package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.net.SocketAddress;

/**
 * One access-log line of a finished TCP connection, UDP session or TLS passthrough connection,
 * before formatting: references only, built on the event loop, formatted by the {@link AccessLog}
 * writer thread.
 *
 * @param listenerPort the snapshot's spec port
 * @param transport {@code tcp}, {@code udp} or {@code tls}
 * @param route null when the listener had none
 * @param backend null when none was picked or usable
 * @param endpoint the endpoint connected to (or tried); null when none
 * @param sni TLS passthrough: the server name that picked the route; else null
 */
record L4AccessLogEntry(long epochMillis, SocketAddress client, int listenerPort, String transport, RouteOrigin route,
                        BackendOrigin backend, SocketAddress endpoint, long bytesFromClient, long bytesToClient,
                        long durationNanos, String sni) implements AccessLogLine {
}
