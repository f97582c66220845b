package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.RouteOrigin;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON access log: one line per request, written off the event loop. An event loop only
 * builds an {@link AccessLogEntry} (plain references, nothing formatted) and offers it to a
 * bounded queue; one writer thread formats and writes. When the queue is full the entry is
 * dropped and counted ({@link #dropped()}): the data plane never waits for the log.
 *
 * <pre>
 * {"time":"2026-11-22T06:40:01.123Z","client":"127.0.0.1:51234","protocol":"HTTP/1.1","method":"GET",
 *  "host":"shop.example","path":"/cart?id=7","status":200,"bytes":512,"duration_ms":1.874,
 *  "route":{"kind":"HTTPRoute","namespace":"shop","name":"checkout","rule":"main","match":0},
 *  "backend":"shop/checkout-v2:8080","endpoint":"10.0.0.7:8080","upstream_connect_ms":0.412,
 *  "upstream_first_byte_ms":1.533,"outcome":"completed"}
 * </pre>
 *
 * (one line in the log). {@code route}, {@code backend}, {@code endpoint} and the upstream
 * timings are null when the request did not get that far; the timings count from the request's
 * headers arriving. A gRPC call's line also names its service and method and its status code (null
 * when the call ended without one):
 *
 * <pre>
 * {..., "path":"/shop.Cart/Add", ..., "outcome":"completed","grpc":{"service":"shop.Cart","method":"Add","status":0}}
 * </pre>
 *
 * <p>A TCP connection, UDP session (one client address and port) or TLS passthrough connection
 * gets one line when it ends, with {@code transport} instead of {@code protocol}:
 *
 * <pre>
 * {"time":"2026-11-22T06:40:01.123Z","client":"127.0.0.1:51234","listener_port":443,"transport":"tls",
 *  "sni":"db.example.com","route":{"kind":"TLSRoute","namespace":"db","name":"pg","rule":"0","match":0},
 *  "backend":"db/pg:5432","endpoint":"10.0.0.9:5432","bytes_from_client":5120,"bytes_to_client":88000,
 *  "duration_ms":812.004}
 * </pre>
 *
 * ({@code sni} only for {@code tls}); {@code route}, {@code backend} and {@code endpoint} are null
 * when the connection got no further (it was closed at once).
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    static final int DEFAULT_CAPACITY = 16_384;

    private final BlockingQueue<AccessLogLine> queue;
    private final Writer out;
    private final boolean closeOut;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closing;

    /**
     * Opens the log named by a {@code --access-log} value: {@code stdout}, {@code stderr} or a file
     * (appended to, created if missing).
     */
    public static AccessLog open(String target) {
        if ("stdout".equals(target) || "-".equals(target)) {
            return new AccessLog(System.out, false, DEFAULT_CAPACITY);
        }
        if ("stderr".equals(target)) {
            return new AccessLog(System.err, false, DEFAULT_CAPACITY);
        }
        try {
            return new AccessLog(new FileOutputStream(Path.of(target).toFile(), true), true, DEFAULT_CAPACITY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open access log " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param out where lines go (UTF-8)
     * @param closeOut whether {@link #close()} closes {@code out}
     * @param capacity entries that may wait for the writer before new ones are dropped
     */
    public AccessLog(OutputStream out, boolean closeOut, int capacity) {
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        this.closeOut = closeOut;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::writeLoop, "archway-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one entry; never blocks. Returns false (and counts a drop) when the queue is full. */
    boolean offer(AccessLogLine entry) {
        if (closing || !queue.offer(entry)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Entries dropped because the writer fell behind (or the log was closed). */
    public long dropped() {
        return dropped.get();
    }

    /** Lines written so far. */
    public long written() {
        return written.get();
    }

    private void writeLoop() {
        final StringBuilder line = new StringBuilder(512);
        final List<AccessLogLine> batch = new ArrayList<>(1024);
        while (true) {
            try {
                AccessLogLine first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                batch.add(first);
                do {
                    // One lock acquisition per batch, not per line.
                    for (AccessLogLine e : batch) {
                        line.setLength(0);
                        format(e, line);
                        line.append('\n');
                        out.append(line);
                        written.incrementAndGet();
                    }
                    batch.clear();
                } while (queue.drainTo(batch, 1024) > 0);
                out.flush(); // the queue is empty: make what we have visible
            } catch (InterruptedException ie) {
                break;
            } catch (IOException | RuntimeException ex) {
                LOG.warn("access log: {}", ex.toString());
            }
        }
        try {
            out.flush();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** Writes what is queued, then stops the writer (within a second or so). */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.flush();
            if (closeOut) {
                out.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static void format(AccessLogLine line, StringBuilder b) {
        if (line instanceof L4AccessLogEntry l4) {
            format(l4, b);
        } else {
            format((AccessLogEntry) line, b);
        }
    }

    static void format(L4AccessLogEntry e, StringBuilder b) {
        b.append("{\"time\":");
        string(b, Instant.ofEpochMilli(e.epochMillis()).toString());
        b.append(",\"client\":");
        string(b, address(e.client()));
        b.append(",\"listener_port\":").append(e.listenerPort());
        b.append(",\"transport\":");
        string(b, e.transport());
        if ("tls".equals(e.transport())) {
            b.append(",\"sni\":");
            string(b, e.sni());
        }
        b.append(",\"route\":");
        route(b, e.route());
        b.append(",\"backend\":");
        backend(b, e.backend());
        b.append(",\"endpoint\":");
        string(b, address(e.endpoint()));
        b.append(",\"bytes_from_client\":").append(e.bytesFromClient());
        b.append(",\"bytes_to_client\":").append(e.bytesToClient());
        b.append(",\"duration_ms\":");
        millis(b, e.durationNanos());
        b.append('}');
    }

    static void format(AccessLogEntry e, StringBuilder b) {
        b.append("{\"time\":");
        string(b, Instant.ofEpochMilli(e.epochMillis()).toString());
        b.append(",\"client\":");
        string(b, address(e.client()));
        b.append(",\"protocol\":");
        string(b, e.protocol());
        b.append(",\"method\":");
        string(b, e.method());
        b.append(",\"host\":");
        string(b, e.host());
        b.append(",\"path\":");
        string(b, e.path());
        b.append(",\"status\":").append(e.status());
        b.append(",\"bytes\":").append(e.bytes());
        b.append(",\"duration_ms\":");
        millis(b, e.durationNanos());
        b.append(",\"route\":");
        route(b, e.route());
        b.append(",\"backend\":");
        backend(b, e.backend());
        b.append(",\"endpoint\":");
        string(b, e.endpoint() == null ? null : e.endpoint().key());
        b.append(",\"upstream_connect_ms\":");
        millis(b, e.connectNanos());
        b.append(",\"upstream_first_byte_ms\":");
        millis(b, e.firstByteNanos());
        b.append(",\"outcome\":");
        string(b, e.outcome());
        if (e.grpcStatus() != GrpcStatus.NOT_GRPC) {
            grpc(b, e.path(), e.grpcStatus());
        }
        b.append('}');
    }

    /**
     * A gRPC call's service and method (its path is {@code /<service>/<method>}) and its status
     * code (null when it ended without one).
     */
    private static void grpc(StringBuilder b, String path, int status) {
        final String p = path == null ? "" : path;
        final int slash = p.indexOf('/', 1);
        b.append(",\"grpc\":{\"service\":");
        string(b, slash > 0 ? p.substring(1, slash) : null);
        b.append(",\"method\":");
        string(b, slash > 0 ? p.substring(slash + 1) : null);
        b.append(",\"status\":");
        if (status >= 0) {
            b.append(status);
        } else {
            b.append("null");
        }
        b.append('}');
    }

    private static void route(StringBuilder b, RouteOrigin route) {
        if (route == null) {
            b.append("null");
            return;
        }
        b.append("{\"kind\":");
        string(b, route.kind());
        b.append(",\"namespace\":");
        string(b, route.namespace());
        b.append(",\"name\":");
        string(b, route.name());
        b.append(",\"rule\":");
        string(b, route.ruleName() != null ? route.ruleName() : Integer.toString(route.ruleIndex()));
        b.append(",\"match\":").append(route.matchIndex()).append('}');
    }

    private static void backend(StringBuilder b, BackendOrigin backend) {
        string(b, backend == null ? null : backend.namespace() + "/" + backend.name() + ":" + backend.port());
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet) {
            final String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + inet.getPort() : host + ":" + inet.getPort();
        }
        return a == null ? null : a.toString();
    }

    /** Milliseconds with microsecond precision; null for a negative value (the step never happened). */
    private static void millis(StringBuilder b, long nanos) {
        if (nanos < 0) {
            b.append("null");
            return;
        }
        final long micros = (nanos + 500) / 1000;
        final long frac = micros % 1000;
        b.append(micros / 1000).append('.');
        if (frac < 100) {
            b.append('0');
        }
        if (frac < 10) {
            b.append('0');
        }
        b.append(frac);
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
