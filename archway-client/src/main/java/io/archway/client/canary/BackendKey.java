package io.archway.client.canary;

import java.util.Objects;

/** A backend as the gateway's metrics label it: {@code backend_namespace}, {@code backend_name}. */
public record BackendKey(String namespace, String name) {
    public BackendKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
