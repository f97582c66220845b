/**
 * The gateway process. Starting points:
 *
 * <ul>
 *   <li>{@link io.archway.server.ArchwayServer}: wires source, store, translator, data plane, admin.</li>
 *   <li>{@link io.archway.server.RebuildLoop}: the single thread that translates and applies; a
 *       rejected snapshot keeps the last good one serving.</li>
 *   <li>{@code StandaloneStatusView}: the standalone {@link io.archway.source.StatusSink}; it stamps
 *       {@code lastTransitionTime} by {@link io.archway.source.ObjectStatus}.</li>
 *   <li>{@link io.archway.server.AdminServer}: read-only HTTP API on 127.0.0.1:9901 by default;
 *       {@link io.archway.server.ServerMetrics} and {@code AdminServer.addHandler} are the hooks for
 *       metrics.</li>
 * </ul>
 */
package io.archway.server;
