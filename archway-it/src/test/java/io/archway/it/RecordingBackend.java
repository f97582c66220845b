package io.archway.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP backend on an ephemeral loopback port that records when each request arrived
 * ({@link System#nanoTime()}) and answers its name with 200, or 500 while {@link #failing} is set.
 * What the gateway did is judged from these records: the backend's own view of the traffic.
 */
final class RecordingBackend implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final ConcurrentLinkedQueue<long[]> arrivals = new ConcurrentLinkedQueue<>();
    final String name;
    volatile boolean failing;

    RecordingBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        byte[] ok = name.getBytes(StandardCharsets.UTF_8);
        byte[] broken = (name + " failing").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                boolean fail = failing;
                arrivals.add(new long[] {System.nanoTime(), fail ? 500 : 200});
                byte[] body = fail ? broken : ok;
                ex.sendResponseHeaders(fail ? 500 : 200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Requests that arrived in [from, to) (System.nanoTime()). */
    long count(long from, long to) {
        return arrivals.stream().filter(a -> a[0] >= from && a[0] < to).count();
    }

    /** Requests answered {@code status} in [from, to). */
    long count(long from, long to, int status) {
        return arrivals.stream().filter(a -> a[0] >= from && a[0] < to && a[1] == status).count();
    }

    long total() {
        return arrivals.size();
    }

    /** Arrival time of the last request, or -1. */
    long last() {
        List<long[]> all = List.copyOf(arrivals);
        return all.isEmpty() ? -1 : all.stream().mapToLong(a -> a[0]).max().orElse(-1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
