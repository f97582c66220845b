package io.archway.snapshot;

/** How to speak to a backend, from the Service port's appProtocol. */
public enum AppProtocol {
    /** HTTP/1.1 (the default). */
    HTTP1,
    /** {@code kubernetes.io/h2c}: HTTP/2 over cleartext, prior knowledge. */
    H2C,
    /** {@code kubernetes.io/ws}: HTTP/1.1 with WebSocket upgrades. */
    WEBSOCKET
}
