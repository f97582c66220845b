package io.archway.translate.explain;

import java.util.List;

/**
 * {@code archway explain route}: for each parentRef, whether the route attaches and why, listener
 * by listener, with the spec's reason strings; and each backendRef's resolution.
 *
 * @param hostnames the route's spec.hostnames (empty: any)
 */
public record RouteExplanation(String namespace, String name, List<String> hostnames, List<Parent> parents,
                               List<Backend> backends, List<String> problems) {

    /**
     * One parentRef.
     *
     * @param parentRef as written, e.g. {@code Gateway gateway-conformance-infra/same-namespace sectionName http}
     * @param gateway the Gateway the parent's listeners serve for, ns/name (for a ListenerSet: its Gateway)
     * @param ours false when the parent is not served by us (or does not exist): no status from us
     * @param accepted the Accepted condition we report for this parent ("True"/"False"), null when not ours
     * @param reason its reason (spec spelling: Accepted, NotAllowedByListeners, NoMatchingListenerHostname,
     *     NoMatchingParent, UnsupportedValue, Pending, ...)
     * @param resolvedRefs the ResolvedRefs reason
     * @param listeners every listener of the parent (a Gateway's own, or the ListenerSet's), attached or not and why
     */
    public record Parent(int index, String parentRef, String gateway, boolean ours, String accepted, String reason,
                         String message, String resolvedRefs, String resolvedRefsMessage, List<ListenerCheck> listeners) {
    }

    /**
     * One listener of a parent Gateway or ListenerSet.
     *
     * @param attached whether the route is served on it
     * @param reason {@code Accepted} when attached, else the spec reason this listener alone gives
     * @param why the checks, in order (sectionName, port, listener state, kind, namespaces, hostnames)
     * @param effectiveHostnames when attached: the virtual hosts it gets
     */
    public record ListenerCheck(String name, int port, String protocol, String hostname, boolean attached,
                                String reason, List<String> why, List<String> effectiveHostnames) {
    }

    /** One backendRef: resolved or not (RefNotPermitted, BackendNotFound, InvalidKind) and why. */
    public record Backend(int rule, int index, String ref, int weight, boolean resolved, String reason, String message,
                          int readyEndpoints) {
    }
}
