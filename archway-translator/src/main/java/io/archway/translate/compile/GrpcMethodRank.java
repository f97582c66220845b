package io.archway.translate.compile;

/**
 * What GRPCRoute precedence counts of one match's method condition (GRPCRouteRule.matches): the
 * characters of its service and of its method (0 when not matched on).
 */
public record GrpcMethodRank(int serviceChars, int methodChars) {
    /** A match without a method condition. */
    public static final GrpcMethodRank ANY = new GrpcMethodRank(0, 0);
}
