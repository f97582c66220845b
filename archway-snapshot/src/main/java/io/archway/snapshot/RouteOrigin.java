package io.archway.snapshot;

import java.util.Objects;

/**
 * Where a route entry came from, precisely enough to name it in explain output, logs and metrics.
 *
 * @param kind e.g. {@code HTTPRoute}
 * @param ruleIndex index of the rule in {@code spec.rules}
 * @param ruleName the rule's {@code name}, or null
 * @param matchIndex index of the match in the rule's {@code matches}; 0 for an implicit match
 */
public record RouteOrigin(String kind, String namespace, String name, int ruleIndex, String ruleName, int matchIndex) {
    public RouteOrigin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name + " rule " + (ruleName != null ? ruleName : ruleIndex)
                + " match " + matchIndex;
    }
}
