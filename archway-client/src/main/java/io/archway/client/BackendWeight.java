package io.archway.client;

/**
 * One backendRef of a rule before and after a weight change.
 *
 * @param position  index of the backendRef within the rule
 * @param name      the backendRef's name (a Service name)
 * @param namespace the backendRef's namespace (the route's when the ref has none)
 * @param before    the weight written before, null when unset (which means 1)
 * @param after     the weight after the change (equal to the effective before-weight when untouched)
 * @param changed   whether the caller asked to set this backend
 */
public record BackendWeight(int position, String name, String namespace, Integer before, int after, boolean changed) {

    /** The weight the data plane applied before the change (unset means 1). */
    public int effectiveBefore() {
        return before == null ? 1 : before;
    }
}
