/**
 * Request dispatch over a {@link io.archway.snapshot.PortBinding}: the one implementation the data
 * plane serves with and {@code archway explain} reports with, so the two agree by construction.
 * JDK and RE2/J only.
 *
 * <p>Starting points: {@link io.archway.snapshot.dispatch.CompiledPort} (compile once per socket;
 * {@code decide} on the hot path returns the sealed {@link io.archway.snapshot.dispatch.RouteDecision}
 * with an injected {@link io.archway.snapshot.dispatch.BackendChooser}; {@code trace} and
 * {@code alternatives} for explain), {@link io.archway.snapshot.dispatch.RequestFacts}
 * (what a request must tell), {@link io.archway.snapshot.dispatch.CompiledMatch} (one match's
 * conditions), {@link io.archway.snapshot.dispatch.RegularExpression} (the RegularExpression dialect:
 * RE2, linear time), {@link io.archway.snapshot.dispatch.CorsFilter} and
 * {@link io.archway.snapshot.dispatch.CorsOrigin} (HTTPCORSFilter's decisions).
 */
package io.archway.snapshot.dispatch;
