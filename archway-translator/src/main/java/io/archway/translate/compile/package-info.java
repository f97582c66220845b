/**
 * Compile phases: HTTPRoute rules into snapshot route entries
 * ({@link io.archway.translate.compile.HttpRouteRuleCompiler}, phase 3), GRPCRoute rules into the
 * same entries ({@link io.archway.translate.compile.GrpcRouteRuleCompiler}: POST matches on
 * {@code /<service>/<method>}, ordered by {@link io.archway.translate.compile.GrpcRulePrecedence}),
 * and attached routes into
 * the routing table ({@link io.archway.translate.compile.RouteTableCompiler}, phase 6), with the
 * spec's match precedence as one list of named steps, each a comparator, which explain names too
 * ({@link io.archway.translate.compile.HttpRulePrecedence}).
 */
package io.archway.translate.compile;
