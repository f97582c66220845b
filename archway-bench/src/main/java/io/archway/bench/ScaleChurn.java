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
 * {@code churn} makes the kinds of change issue 14 lists ({@link Churn}: weights flipped, rules and
 * routes added and removed, a listener added and removed), each saved as editors save (a temporary
 * file renamed over the target) or a file deleted. After each save it asks the gateway over one
 * keep-alive connection, every millisecond, until the answer shows the change (the new
 * {@code x-variant}, a 404 for a deleted route, a listener answering or refusing): the time from the
 * rename to that answer is the change-to-live latency. It prints the median, p99 and maximum, over
 * all changes and per kind, and the probes that failed.
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
        final Churn churn = new Churn(dir, routes, hostnames, port);
        try {
            for (int c = 0; c < changes; c++) {
                churn.change(c);
                if (paceMs > 0) {
                    Thread.sleep(paceMs);
                }
            }
        } finally {
            churn.probe.close();
        }
        final List<Long> all = new ArrayList<>();
        final StringBuilder kinds = new StringBuilder();
        for (Kind kind : Kind.values()) {
            final List<Long> latencies = churn.latencies.get(kind);
            all.addAll(latencies);
            Collections.sort(latencies);
            kinds.append(String.format(Locale.ROOT, "%n  %-16s %4d changes: median %6.1f ms, p99 %6.1f ms, max %6.1f ms",
                    kind.label, latencies.size(), ms(latencies, 0.5), ms(latencies, 0.99), ms(latencies, 1.0)));
        }
        Collections.sort(all);
        System.out.printf(Locale.ROOT, "change-to-live over %d changes: median %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " probe failures %d%s%n", all.size(), ms(all, 0.5), ms(all, 0.99), ms(all, 1.0), churn.failed, kinds);
    }

    /** The kinds of change, in the order of issue 14's list. */
    enum Kind {
        WEIGHTS("weights flipped"),
        RULE_ADDED("rule added"),
        RULE_REMOVED("rule removed"),
        ROUTE_ADDED("route added"),
        ROUTE_REMOVED("route removed"),
        LISTENER_ADDED("listener added"),
        LISTENER_REMOVED("listener removed");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * Saves one change after another, as editors save (a temporary file renamed over the target, or
     * a file deleted), and waits for each to be live. Change {@code c}: every even one flips route
     * 0's weights (the route the load generator also hits); of the odd ones, in a cycle of ten, a
     * random route's weights flip (3 in 10), a second rule is added to a random route and removed by
     * the next change of that kind, a route file is added and removed, and every 50th change adds or
     * removes a second listener on the Gateway. The route of the load's unaffected requests (the
     * last) is never touched.
     */
    private static final class Churn {
        private final Path dir;
        private final int routes;
        private final int hostnames;
        private final int port;
        private final Random random = new Random(14);
        private final int[] variant;
        private final java.util.EnumMap<Kind, List<Long>> latencies = new java.util.EnumMap<>(Kind.class);
        private Probe probe;
        private int failed;
        /** The route with a second rule, or -1. */
        private int twoRules = -1;
        /** The number of the added route, or -1. */
        private int added = -1;
        private boolean extraListener;

        Churn(Path dir, int routes, int hostnames, int port) throws IOException {
            this.dir = dir;
            this.routes = routes;
            this.hostnames = hostnames;
            this.port = port;
            this.variant = new int[routes + 1];
            for (Kind k : Kind.values()) {
                latencies.put(k, new ArrayList<>());
            }
            probe = new Probe(port);
        }

        void change(int c) throws IOException, InterruptedException {
            if (c % 2 == 0) {
                flip(0);
                return;
            }
            if (c % 100 == 49) {
                listener();
                return;
            }
            switch ((c / 2) % 5) {
                case 1 -> rule();
                case 3 -> route();
                default -> flip(1 + random.nextInt(Math.max(1, routes - 2)));
            }
        }

        private void flip(int route) throws IOException, InterruptedException {
            final int v = ++variant[route];
            final long saved = save(ScaleConfig.routeFile(route),
                    ScaleConfig.route(route, hostnames, route == twoRules ? 2 : 1, v));
            await(Kind.WEIGHTS, saved, route, "/r" + route, v);
        }

        /** Adds a second rule ({@code /r<i>/1}) to a random route, or removes the one added before. */
        private void rule() throws IOException, InterruptedException {
            if (twoRules < 0) {
                final int route = 1 + random.nextInt(Math.max(1, routes - 2));
                final int v = ++variant[route];
                final long saved = save(ScaleConfig.routeFile(route), ScaleConfig.route(route, hostnames, 2, v));
                twoRules = route;
                await(Kind.RULE_ADDED, saved, route, "/r" + route + "/1", v);
            } else {
                final int route = twoRules;
                final int v = ++variant[route];
                final long saved = save(ScaleConfig.routeFile(route), ScaleConfig.route(route, hostnames, 1, v));
                twoRules = -1;
                // The route's new version answers /r<i>/1 through its first rule (a prefix of it).
                await(Kind.RULE_REMOVED, saved, route, "/r" + route + "/1", v);
            }
        }

        /** Adds route {@code routes} (path prefix {@code /r<routes>}), or deletes it: 404 then. */
        private void route() throws IOException, InterruptedException {
            final int route = routes;
            if (added < 0) {
                final int v = ++variant[route];
                final long saved = save(ScaleConfig.routeFile(route), ScaleConfig.route(route, hostnames, 1, v));
                added = route;
                await(Kind.ROUTE_ADDED, saved, route, "/r" + route, v);
            } else {
                Files.delete(dir.resolve(ScaleConfig.routeFile(route)));
                final long saved = System.nanoTime();
                added = -1;
                awaitStatus(Kind.ROUTE_REMOVED, saved, route, "/r" + route, 404);
            }
        }

        /** Adds a second listener on the next port to the Gateway, or removes it. */
        private void listener() throws IOException, InterruptedException {
            final String base = Files.readString(dir.resolve("base.yaml"));
            final String before = ScaleConfig.gateway(port, extraListener);
            extraListener = !extraListener;
            final long saved = save("base.yaml", base.replace(before, ScaleConfig.gateway(port, extraListener)));
            while (true) {
                boolean answered;
                try (Probe extra = new Probe(port + 1)) {
                    answered = extra.answer(ScaleConfig.hostname(0, hostnames), "/r0").status() == 200;
                } catch (IOException refused) {
                    answered = false;
                }
                if (answered == extraListener) {
                    latencies.get(extraListener ? Kind.LISTENER_ADDED : Kind.LISTENER_REMOVED)
                            .add(System.nanoTime() - saved);
                    return;
                }
                if (tooLong(saved, "listener " + (extraListener ? "added" : "removed"))) {
                    return;
                }
                Thread.sleep(1);
            }
        }

        private long save(String file, String content) throws IOException {
            final Path target = dir.resolve(file);
            final Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            final long saved = System.nanoTime();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return saved;
        }

        /** Until {@code path} on the route's hostname answers with {@code x-variant: v}. */
        private void await(Kind kind, long saved, int route, String path, int v) throws IOException, InterruptedException {
            final String expected = String.valueOf(v);
            while (true) {
                final Answer a = ask(route, path);
                if (a != null && expected.equals(a.variant())) {
                    latencies.get(kind).add(System.nanoTime() - saved);
                    return;
                }
                if (tooLong(saved, kind.label + " (route " + route + ")")) {
                    return;
                }
                Thread.sleep(1);
            }
        }

        /** Until {@code path} on the route's hostname answers with {@code status}. */
        private void awaitStatus(Kind kind, long saved, int route, String path, int status)
                throws IOException, InterruptedException {
            while (true) {
                final Answer a = ask(route, path);
                if (a != null && a.status() == status) {
                    latencies.get(kind).add(System.nanoTime() - saved);
                    return;
                }
                if (tooLong(saved, kind.label + " (route " + route + ")")) {
                    return;
                }
                Thread.sleep(1);
            }
        }

        private Answer ask(int route, String path) throws IOException {
            try {
                return probe.answer(ScaleConfig.hostname(route, hostnames), path);
            } catch (IOException e) {
                failed++;
                System.err.println("probe failed: " + e);
                probe.close();
                probe = new Probe(port);
                return null;
            }
        }

        private boolean tooLong(long saved, String what) {
            if (System.nanoTime() - saved > 30_000_000_000L) {
                System.err.println(what + " not live after 30 s");
                failed++;
                return true;
            }
            return false;
        }
    }

    private static double ms(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
    }

    /** An answer's status and {@code x-variant} (null without one). */
    record Answer(int status, String variant) {
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

        /** The status and {@code x-variant} (or null) of the answer to {@code GET path} on {@code host}. */
        Answer answer(String host, String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed");
            }
            final int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
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
            return new Answer(status, variant);
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
