/**
 * Load balancing shared by every kind of port: {@link io.archway.proxy.balance.WeightedChoice}
 * (the weighted backend pick) and {@link io.archway.proxy.balance.L4Targets} (an L4 route's
 * backends with their endpoint cursors, used by {@code proxy.tcp} and {@code proxy.udp}).
 */
package io.archway.proxy.balance;
