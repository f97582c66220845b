package io.archway.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The change side of {@code bench/scale-churn.sh} (JDK only besides {@link ScaleConfig}):
 * <pre>
 *   generate DIR ROUTES HOSTNAMES LISTENER_PORT BACKEND_PORT   write the scale configuration
 *   churn DIR ROUTES HOSTNAMES LISTENER_PORT CHANGES PACE_MS    change routes one at a time
 * </pre>
 * {@code churn} saves each change as editors do (a temporary file renamed over the route's file):
 * every other change flips the weights of route 0 (the one the load generator also hits), the
 * others flip a random route. After each save it asks the gateway for that route over one
 * keep-alive connection, every millisecond, until the answer carries the new {@code x-variant}:
 * the time from the rename to that answer is the change-to-live latency. It prints the median,
 * p99 and maximum, and the probes that failed.
 */
public final class ScaleChurn {
    private ScaleChurn() {
    }

    public static void main(String[] args) throws Exception {
        final Path dir = Path.of(args[1]);
        final int routes = Integer.parseInt(args[2]);
        final int hostnames = Integer.parseInt(args[3]);
        final int port = Integer.parseInt(args[4]);
        if (args[0].equals("generate")) {
            ScaleConfig.writeDirectory(dir, routes, hostnames, port, Integer.parseInt(args[5]));
            return;
        }
        final int changes = Integer.parseInt(args[5]);
        final long paceMs = Long.parseLong(args[6]);
        final Random random = new Random(14);
        final int[] variant = new int[routes];
        final List<Long> latencies = new ArrayList<>();
        int failed = 0;
        Probe probe = new Probe(port);
        for (int c = 0; c < changes; c++) {
            final int route = c % 2 == 0 ? 0 : random.nextInt(routes);
            final int v = ++variant[route];
            final Path file = dir.resolve(ScaleConfig.routeFile(route));
            final Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, ScaleConfig.route(route, hostnames, 1, v));
            final long saved = System.nanoTime();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            while (true) {
                String seen;
                try {
                    seen = probe.variant(ScaleConfig.hostname(route, hostnames), "/r" + route);
                } catch (IOException e) {
                    failed++;
                    System.err.println("probe failed: " + e);
                    probe.close();
                    probe = new Probe(port);
                    continue;
                }
                if (String.valueOf(v).equals(seen)) {
                    latencies.add(System.nanoTime() - saved);
                    break;
                }
                if (System.nanoTime() - saved > 30_000_000_000L) {
                    System.err.println("change " + c + " (route " + route + ") not live after 30 s");
                    failed++;
                    break;
                }
                Thread.sleep(1);
            }
            if (paceMs > 0) {
                Thread.sleep(paceMs);
            }
        }
        probe.close();
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "change-to-live over %d changes: median %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " probe failures %d%n", latencies.size(), ms(latencies, 0.5), ms(latencies, 0.99),
                ms(latencies, 1.0), failed);
    }

    private static double ms(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
    }

    /** One keep-alive HTTP/1.1 connection to the gateway. */
    private static final class Probe implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Probe(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** The {@code x-variant} of the answer to {@code GET path} on {@code host}, or null. */
        String variant(String host, String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String status = line();
            if (status == null) {
                throw new IOException("connection closed");
            }
            String variant = null;
            int length = 0;
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                final String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("x-variant:")) {
                    variant = l.substring(10).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(l.substring(15).trim());
                }
            }
            if (in.readNBytes(length).length != length) {
                throw new IOException("connection closed mid-body");
            }
            return variant;
        }

        private String line() throws IOException {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
            return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
