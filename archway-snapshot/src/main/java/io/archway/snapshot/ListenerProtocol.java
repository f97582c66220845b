package io.archway.snapshot;

/** The protocol a socket speaks, after the translator resolved listener conflicts on its port. */
public enum ListenerProtocol {
    /** Plain-text HTTP/1.1 (and h2c). */
    HTTP,
    /** TLS terminated by the gateway, then HTTP/1.1 or h2 by ALPN. */
    HTTPS
}
