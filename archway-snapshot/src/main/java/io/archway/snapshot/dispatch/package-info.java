/**
 * Request dispatch over a {@link io.archway.snapshot.PortBinding}: the one implementation the data
 * plane serves with and {@code archway explain} reports with, so the two agree by construction.
 * JDK only.
 *
 * <p>Starting points: {@link io.archway.snapshot.dispatch.CompiledPort} (compile once per socket;
 * {@code route} on the hot path, {@code trace} for explain), {@link io.archway.snapshot.dispatch.RequestFacts}
 * (what a request must tell), {@link io.archway.snapshot.dispatch.CompiledMatch} (one match's
 * conditions).
 */
package io.archway.snapshot.dispatch;
