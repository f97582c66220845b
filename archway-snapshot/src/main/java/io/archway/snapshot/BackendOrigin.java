package io.archway.snapshot;

import java.util.Objects;

/** The backendRef a weighted backend came from: kind, namespace, name and port as written. */
public record BackendOrigin(String kind, String namespace, String name, int port) {
    public BackendOrigin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name + ":" + port;
    }
}
