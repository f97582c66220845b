package io.archway.server;

/**
 * One gateway process, embeddable: directory source -> store -> translator -> data plane, plus
 * the admin endpoint. {@code start} returns once the first snapshot is served (its ports bound).
 *
 * <pre>
 * try (ArchwayServer server = ArchwayServer.start(config)) {
 *     server.status().list("Gateway", null);
 *     // ... edit files in config.configDir() ...
 *     server.reloadNow();   // or wait for the watcher
 * }
 * </pre>
 */
public final class ArchwayServer implements AutoCloseable {
    // API contract (implemented in this module):
    //   public static ArchwayServer start(ServerConfig config) throws java.io.IOException
    //   public StatusView status()
    //   public java.net.InetSocketAddress adminAddress()
    //   /** Re-reads the directory now and returns once the result is served (or rejected). */
    //   public void reloadNow()
    //   public void close()   // stops listeners, drains, stops the watcher
    private ArchwayServer() {
    }

    @Override
    public void close() {
    }
}
