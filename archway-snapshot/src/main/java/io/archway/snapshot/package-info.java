/**
 * The routing snapshot: an immutable tree of records that the translator produces and the data
 * plane serves. It depends on the JDK only, so neither Kubernetes nor Netty types can leak across.
 *
 * <p>Starting points: {@link io.archway.snapshot.RoutingSnapshot} (the root), then
 * {@link io.archway.snapshot.PortBinding} (one socket), {@link io.archway.snapshot.ListenerEntry}
 * (one Gateway listener on it), {@link io.archway.snapshot.VirtualHost} and
 * {@link io.archway.snapshot.HttpRouteEntry} (one route match, already in precedence order).
 *
 * <p>Conventions: every list is an immutable copy; a field documented as nullable means "absent"
 * when null; every entry records where it came from ({@link io.archway.snapshot.RouteOrigin},
 * {@link io.archway.snapshot.ListenerOrigin}, {@link io.archway.snapshot.BackendOrigin}) so that
 * {@code archway explain}, access logs and metrics can name it.
 */
package io.archway.snapshot;
