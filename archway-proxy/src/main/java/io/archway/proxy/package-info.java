/**
 * The Netty data plane: serves a {@link io.archway.snapshot.RoutingSnapshot}.
 *
 * <p>Starting points: {@link io.archway.proxy.DataPlane} (the API the server uses: apply, current,
 * close), {@link io.archway.proxy.ProxyConfig} (settings that do not come from Gateway API).
 * Inside: {@code .listener} owns sockets, the swap and draining; {@code .http} routes and proxies
 * requests; {@code .tls} picks certificates.
 *
 * <p>Threading: {@code apply} compiles the snapshot (regular expressions, SslContexts) on the
 * caller's thread, binds new sockets, then swaps one {@code AtomicReference}. Each request reads
 * that reference once when its headers arrive and keeps the value until it finishes. Everything
 * per connection runs on the connection's event loop, upstream connections included.
 */
package io.archway.proxy;
