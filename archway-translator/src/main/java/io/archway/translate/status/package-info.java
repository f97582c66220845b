/**
 * Status building blocks: {@link io.archway.translate.status.Reasons} (condition types and reasons
 * spelled as in the spec), {@link io.archway.translate.status.ConditionSpec} (a condition before it
 * is stamped with observedGeneration; never a lastTransitionTime),
 * {@link io.archway.translate.status.GatewayStatusWriter} and
 * {@link io.archway.translate.status.Diagnostics}.
 */
package io.archway.translate.status;
