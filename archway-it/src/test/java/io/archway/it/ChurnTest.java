package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero failed requests under churn (issue 14), at CI scale over real loopback sockets: keep-alive
 * clients (one connection each, raw HTTP/1.1, so a closed or reset connection is seen, not retried)
 * load an unaffected route ({@code /stable}) and the route being changed ({@code /churn}) while 100
 * changes are saved the way editors save (temporary file, rename): the changing route's weights
 * flipped between two backends, a rule added and removed, other routes added and removed, a second
 * Gateway listener added and removed.
 *
 * <p>Every answer must be a 200 on the same connection; and every answer of {@code /churn} must come
 * from one snapshot: variant {@code k} of the route sends everything to backend {@code a} (k even)
 * or {@code b} (k odd) and adds the response header {@code x-variant: k}, so a request routed by one
 * snapshot and filtered by another would show a backend that does not belong to its variant.
 */
class ChurnTest {
    private static final int CHANGES = 100;
    private static final int CLIENTS = 4;

    @TempDir
    Path dir;
    private CountingBackend a;
    private CountingBackend b;
    private ArchwayServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (server != null) {
            server.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void noRequestFailsWhileRoutesAndListenersChange() throws Exception {
        a = new CountingBackend("a");
        b = new CountingBackend("b");
        final int port = Manifests.freePort();
        final int extraPort = Manifests.freePort();
        Files.writeString(dir.resolve("gateway.yaml"), gateway(port, extraPort, false));
        Files.writeString(dir.resolve("backends.yaml"), Manifests.service("a", a.port()) + "---\n"
                + Manifests.service("b", b.port()));
        Files.writeString(dir.resolve("stable.yaml"), route("stable", "/stable", "a", 1, 0, -1, false));
        Files.writeString(dir.resolve("churn.yaml"), churn(0, false));
        server = ArchwayServer.start(new ServerConfig(dir, new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true), 0, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(20), true));

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong ok = new AtomicLong();
        final AtomicLong maxVariant = new AtomicLong(-1);
        final AtomicLong slowest = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            final String path = c % 2 == 0 ? "/stable" : "/churn";
            clients.add(pool.submit(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(5_000);
                    final OutputStream out = socket.getOutputStream();
                    final InputStream in = new BufferedInputStream(socket.getInputStream());
                    while (running.get()) {
                        out.write(("GET " + path + " HTTP/1.1\r\nHost: churn.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        final long sent = System.nanoTime();
                        final Response r = Response.read(in);
                        slowest.accumulateAndGet(System.nanoTime() - sent, Math::max);
                        if (r.status != 200) {
                            failures.add(path + ": status " + r.status + " " + r.body);
                        } else if (path.equals("/stable") && !r.body.equals("a")) {
                            failures.add(path + ": served by " + r.body);
                        } else if (path.equals("/churn")) {
                            final long variant = Long.parseLong(r.headers.getOrDefault("x-variant", "-1"));
                            final String expected = variant % 2 == 0 ? "a" : "b";
                            if (variant < 0 || !r.body.equals(expected)) {
                                failures.add(path + ": variant " + variant + " served by " + r.body + " (mixed snapshots)");
                            }
                            maxVariant.accumulateAndGet(variant, Math::max);
                        }
                        ok.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    failures.add(path + ": connection failed: " + e);
                }
                return null;
            }));
        }

        // Every client answered once (a cold JVM on a busy CI box is slow to start), then the churn.
        final long warm = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ok.get() < CLIENTS * 5L && failures.isEmpty() && System.nanoTime() < warm) {
            Thread.sleep(20);
        }
        final long before = ok.get();
        int variant = 0;
        boolean extraRule = false;
        boolean extraListener = false;
        final List<String> extraRoutes = new ArrayList<>();
        for (int change = 1; change <= CHANGES; change++) {
            switch (change % 5) {
                case 0 -> {
                    extraListener = !extraListener;
                    save("gateway.yaml", gateway(port, extraPort, extraListener));
                }
                case 1 -> {
                    extraRule = !extraRule;
                    save("churn.yaml", churn(variant, extraRule));
                }
                case 2 -> {
                    final String name = "extra-" + change;
                    extraRoutes.add(name);
                    save(name + ".yaml", route(name, "/" + name, "b", 1, 0, -1, false));
                }
                case 3 -> {
                    if (extraRoutes.size() > 1) {
                        Files.delete(dir.resolve(extraRoutes.remove(0) + ".yaml"));
                    }
                }
                default -> save("churn.yaml", churn(++variant, extraRule));
            }
            Thread.sleep(25);
        }
        final long during = ok.get() - before;
        final int lastVariant = variant;
        // The last flip goes live, then the load stops.
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (maxVariant.get() < lastVariant && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        running.set(false);
        for (Future<?> f : clients) {
            f.get();
        }
        System.out.printf(Locale.ROOT, "churn: %d changes, %d requests answered (%d while the changes were saved),"
                + " %d failed, last variant seen %d of %d, slowest answer %.1f ms%n", CHANGES, ok.get(), during,
                failures.size(), maxVariant.get(), lastVariant, slowest.get() / 1e6);
        assertThat(failures).isEmpty();
        assertThat(maxVariant.get()).as("the last weight flip went live").isEqualTo(lastVariant);
        assertThat(during).as("requests answered while the changes were saved").isGreaterThanOrEqualTo(CHANGES / 2);
    }

    /** Saves like an editor: a temporary file renamed over the target. */
    private void save(String name, String content) throws IOException {
        final Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String gateway(int port, int extraPort, boolean extraListener) {
        return Manifests.gateway(port) + (extraListener ? """
                  - name: extra
                    protocol: HTTP
                    port: %d
                """.formatted(extraPort) : "");
    }

    private static String churn(int variant, boolean extraRule) {
        return route("churn", "/churn", variant % 2 == 0 ? "a" : "b", 1, 0, variant, extraRule);
    }

    /**
     * A route on {@code path} to {@code backend} (weight {@code w}) beside the other backend (weight
     * {@code other}); with {@code variant} at least 0, the response header {@code x-variant}.
     */
    private static String route(String name, String path, String backend, int w, int other, int variant,
                                boolean extraRule) {
        final String otherBackend = backend.equals("a") ? "b" : "a";
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: %s
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - matches:
                    - path:
                        type: PathPrefix
                        value: %s
                %s    backendRefs:
                    - name: %s
                      port: 80
                      weight: %d
                    - name: %s
                      port: 80
                      weight: %d
                """.formatted(name, path, variant < 0 ? "" : """
                    filters:
                    - type: ResponseHeaderModifier
                      responseHeaderModifier:
                        set:
                        - name: x-variant
                          value: "%d"
                """.formatted(variant), backend, w, otherBackend, other) + (extraRule ? """
                  - matches:
                    - path:
                        type: PathPrefix
                        value: %s-extra
                    backendRefs:
                    - name: b
                      port: 80
                """.formatted(path) : "");
    }

    /** One HTTP/1.1 response with a Content-Length body. */
    private record Response(int status, Map<String, String> headers, String body) {
        static Response read(InputStream in) throws IOException {
            final String statusLine = line(in);
            if (statusLine == null) {
                throw new IOException("connection closed by the gateway");
            }
            final int status = Integer.parseInt(statusLine.split(" ")[1]);
            final Map<String, String> headers = new ConcurrentHashMap<>();
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                final int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            final int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            final byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("connection closed mid-body");
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
            return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
        }
    }
}
