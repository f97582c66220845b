package io.archway.snapshot;

import java.util.Objects;

/**
 * Names the listener an entry came from: a listener of a Gateway's own {@code spec.listeners}, or
 * one a ListenerSet attached to that Gateway (GEP-1713: its listeners merge into the Gateway's).
 *
 * @param kind {@code Gateway} or {@code ListenerSet}: the resource that declares the listener
 * @param namespace that resource's namespace
 * @param name that resource's name
 * @param listenerName the listener's name, unique within that resource only
 * @param gatewayNamespace the Gateway the listener is served for (the resource itself for {@code Gateway})
 * @param gatewayName the Gateway's name
 */
public record ListenerOrigin(String kind, String namespace, String name, String listenerName,
                             String gatewayNamespace, String gatewayName) {
    public static final String GATEWAY = "Gateway";
    public static final String LISTENER_SET = "ListenerSet";

    public ListenerOrigin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(gatewayNamespace, "gatewayNamespace");
        Objects.requireNonNull(gatewayName, "gatewayName");
    }

    /** A listener of the Gateway's own {@code spec.listeners}. */
    public ListenerOrigin(String gatewayNamespace, String gatewayName, String listenerName) {
        this(GATEWAY, gatewayNamespace, gatewayName, listenerName, gatewayNamespace, gatewayName);
    }

    /** A listener of ListenerSet {@code namespace/name}, attached to Gateway {@code gatewayNamespace/gatewayName}. */
    public static ListenerOrigin ofListenerSet(String namespace, String name, String listenerName,
                                               String gatewayNamespace, String gatewayName) {
        return new ListenerOrigin(LISTENER_SET, namespace, name, listenerName, gatewayNamespace, gatewayName);
    }

    public boolean fromListenerSet() {
        return LISTENER_SET.equals(kind);
    }

    /** {@code ns/gateway/listener} for a Gateway's own listener, {@code ListenerSet/ns/name/listener} otherwise. */
    @Override
    public String toString() {
        return (fromListenerSet() ? kind + "/" : "") + namespace + "/" + name + "/" + listenerName;
    }
}
