/**
 * Binding phases of the translation: which GatewayClasses and Gateways are ours, which listeners
 * are valid, which routes attach where, and what references resolve to.
 *
 * <p>Starting points: {@link io.archway.translate.bind.GatewayClassAcceptor} (phase 1),
 * {@link io.archway.translate.bind.ListenerValidator} (phase 2, yields
 * {@link io.archway.translate.bind.BoundGateway}s with their
 * {@link io.archway.translate.bind.BoundListenerSet}s), {@link io.archway.translate.bind.RouteAttacher}
 * (phase 4: a parentRef names a {@link io.archway.translate.bind.ListenerParent}, a Gateway or a
 * ListenerSet; yields {@link io.archway.translate.bind.Attachment}s). Helpers named after spec terms:
 * {@link io.archway.translate.bind.HostnameIntersection},
 * {@link io.archway.translate.bind.ReferenceGrantIndex},
 * {@link io.archway.translate.bind.BackendResolver},
 * {@link io.archway.translate.bind.CertificateRefResolver},
 * {@link io.archway.translate.bind.AllowedNamespaces}.
 */
package io.archway.translate.bind;
