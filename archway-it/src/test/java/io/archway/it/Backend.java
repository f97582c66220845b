package io.archway.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP backend on an ephemeral loopback port that answers its own name and records each
 * request it got as {@code METHOD target body}.
 */
final class Backend implements AutoCloseable {
    private final HttpServer server;
    private final java.util.Queue<String> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final String name;

    Backend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", ex -> {
            try (ex) {
                final byte[] request = ex.getRequestBody().readAllBytes();
                received.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                        + new String(request, StandardCharsets.UTF_8));
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    /** The requests received so far, in order. */
    java.util.List<String> received() {
        return java.util.List.copyOf(received);
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
