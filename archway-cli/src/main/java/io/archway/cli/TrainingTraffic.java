package io.archway.cli;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request traffic of the launcher's AOT-cache training ({@code serve --exit-when-ready
 * --training-requests N}, docs/PERFORMANCE.md, "Warm-up, session 10"): once the training
 * configuration (archway-cli/training) is served, a backend in this process answers its
 * {@code stable} Service and clients in this process send N requests through the training
 * Gateway's listener, as the benchmark does: HTTP/1.1 keep-alive and h2c with prior knowledge, one
 * request at a time per connection, {@code /small} and {@code /4k} bodies; the launcher has rounds of
 * them follow until the JIT compiler has settled ({@link #sendUntilSettled}). The JDK then keeps the
 * request path's method profiles (JEP 515) beside the start-up's, so that a started gateway
 * compiles its hot path sooner. The clients speak over plain sockets (h2c frames by hand, HPACK by
 * Netty's coder, which the proxy uses too) so that no client library's classes or call-site types
 * enter the profiles of the proxy's own code; the backend is the JDK's HTTP server for the same reason.
 */
final class TrainingTraffic {
    private static final Logger LOG = LoggerFactory.getLogger("archway");
    /** The training Gateway's listener (archway-cli/training/gateway.yaml). */
    static final int LISTENER_PORT = 28080;
    /** The endpoint of the training's {@code stable} Service (archway-cli/training/backends.yaml). */
    static final int BACKEND_PORT = 29001;
    /** Connections per protocol and body (HTTP/1.1 and h2c, small and 4 KiB): 8 in all. */
    private static final int CONNECTIONS_PER_KIND = 2;
    private static final byte[] SMALL = "ok".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FOUR_K = fourKiB();
    /** How often the timers' maxima rotate in the training (Micrometer's expiry: the time per bucket). */
    private static final Duration TRAINING_MAX_ROTATION = Duration.ofMillis(300);

    /**
     * Requests sent; answered 200 with the body the backend sent, per protocol; received by the
     * backend; the first connection's failure, or null.
     */
    record Result(long sent, long h1Ok, long h2cOk, long backendRequests, String failure) {
        boolean allOk() {
            return h1Ok + h2cOk == sent;
        }

        Result plus(Result next) {
            return new Result(sent + next.sent, h1Ok + next.h1Ok, h2cOk + next.h2cOk,
                    backendRequests + next.backendRequests, failure != null ? failure : next.failure);
        }
    }

    /**
     * When the JIT compiler has settled under the training's traffic: after two rounds running in
     * which it compiled for under a tenth of the round's time. Until then its queue is long, and the
     * JDK raises the thresholds for C2 with the queue's length, so the methods called least often
     * reach C2 last: the event loop's own, called once per batch of completions, and the buffer
     * pool's chunk cache. A cache trained before that records them at C1 with a full profile, and a
     * started gateway then keeps them at C1 (tier 2) until its own load takes them to C2 many seconds
     * into serving, where the compilation shares the proxy's core with requests (docs/PERFORMANCE.md,
     * "The training runs until the JIT settles"). Two rounds, because the compilation time only grows
     * when a compilation ends.
     */
    static final class Settling {
        private static final int QUIET_ROUNDS = 2;
        private int quiet;

        /** Notes a round of {@code roundNanos} in which the JIT compiled for {@code compileMillis}. */
        void round(long roundNanos, long compileMillis) {
            quiet = compileMillis * 1_000_000L * 10 < roundNanos ? quiet + 1 : 0;
        }

        boolean settled() {
            return quiet >= QUIET_ROUNDS;
        }
    }

    private TrainingTraffic() {
    }

    /**
     * Makes the timers registered from now on (the request duration of the training's route, created
     * at its first request) rotate their maximum's window every 300 ms. In production it first
     * rotates a minute after the timer's first request (the Prometheus step); a training without a
     * rotation leaves the profiles saying that the rotation and the maximum's update after it (Micrometer's
     * {@code TimeWindowMax.rotate} and {@code updateMax}) are never taken, so that the C2 code of
     * {@code HttpRouter.report} and {@code Telemetry.completed}, which inlines them, is thrown away
     * and compiled again a minute into serving (docs/PERFORMANCE.md, "Warm-up, session 10").
     * Micrometer warns that the filter comes after the server's own meters: those are not on the
     * request path.
     */
    static void rotateTimerMaxima(MeterRegistry registry) {
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().expiry(TRAINING_MAX_ROTATION).bufferLength(3).build()
                        .merge(config);
            }
        });
    }

    /**
     * Starts the backend on {@link #BACKEND_PORT}, sends {@code requests} through the listener on
     * {@code host}:{@link #LISTENER_PORT}, stops the backend; both ports moved by {@code portOffset}
     * (serve's --port-offset; a test's copy of the training configuration moves its endpoints by it too).
     *
     * @throws IOException when the backend's port is taken
     */
    static Result send(String host, int portOffset, int requests) throws IOException, InterruptedException {
        HttpServer backend = backend(host, BACKEND_PORT + portOffset);
        AtomicLong received = new AtomicLong();
        backend.createContext("/", ex -> {
            try (ex) {
                received.incrementAndGet();
                byte[] body = ex.getRequestURI().getPath().equals("/4k") ? FOUR_K : SMALL;
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        backend.start();
        try {
            return send(new InetSocketAddress(host, LISTENER_PORT + portOffset), requests, received);
        } finally {
            backend.stop(0);
        }
    }

    /**
     * Sends {@code requests} as {@link #send(String, int, int)} does, then, while every request was
     * answered, rounds of a quarter as many until the JIT compiler has {@linkplain Settling settled}
     * or {@code maxRequests} are sent in all; each round on new connections, so that accepting and
     * closing connections are trained too. {@code compileMillis} is the JIT's total compilation time
     * so far (the JDK's compilation bean), or null where the JVM does not measure it: then no rounds
     * follow the first requests.
     */
    static Result sendUntilSettled(String host, int portOffset, int requests, int maxRequests,
            LongSupplier compileMillis) throws IOException, InterruptedException {
        Result sent = send(host, portOffset, requests);
        if (compileMillis == null) {
            return sent;
        }
        final int round = Math.max(1, requests / 4);
        final Settling settling = new Settling();
        int rounds = 0;
        while (sent.allOk() && !settling.settled() && sent.sent() + round <= maxRequests) {
            final long compiled = compileMillis.getAsLong();
            final long began = System.nanoTime();
            sent = sent.plus(send(host, portOffset, round));
            settling.round(System.nanoTime() - began, compileMillis.getAsLong() - compiled);
            rounds++;
        }
        if (rounds > 0) {
            LOG.info("training traffic: {} rounds of {} requests after the first {}; the JIT {}", rounds, round, requests,
                    settling.settled() ? "settled" : "had not settled at " + maxRequests + " requests");
        }
        return sent;
    }

    private static HttpServer backend(String host, int port) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new IOException("cannot start the training backend on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static Result send(InetSocketAddress listener, int requests, AtomicLong backendRequests)
            throws InterruptedException {
        int connections = 4 * CONNECTIONS_PER_KIND;
        ExecutorService clients = Executors.newFixedThreadPool(connections, r -> {
            Thread t = new Thread(r, "archway-training-client");
            t.setDaemon(true);
            return t;
        });
        List<Future<Long>> h1 = new ArrayList<>();
        List<Future<Long>> h2c = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                // Spread the requests over the connections; the first ones take the remainder.
                int n = requests / connections + (i < requests % connections ? 1 : 0);
                String path = i % 2 == 0 ? "/small" : "/4k";
                byte[] body = i % 2 == 0 ? SMALL : FOUR_K;
                if (i % 4 < 2) {
                    h1.add(clients.submit(() -> http1(listener, path, body, n)));
                } else {
                    h2c.add(clients.submit(() -> h2c(listener, path, body, n)));
                }
            }
            List<String> failures = new ArrayList<>();
            long h1Ok = sum(h1, failures);
            long h2cOk = sum(h2c, failures);
            return new Result(requests, h1Ok, h2cOk, backendRequests.get(), failures.isEmpty() ? null : failures.get(0));
        } finally {
            clients.shutdownNow();
        }
    }

    /** The connections' answered requests; a connection that failed adds its reason to {@code failures}. */
    private static long sum(List<Future<Long>> answered, List<String> failures) throws InterruptedException {
        long ok = 0;
        for (Future<Long> f : answered) {
            try {
                ok += f.get();
            } catch (ExecutionException e) {
                failures.add(e.getCause().toString());
            }
        }
        return ok;
    }

    /** {@code n} GETs of {@code path} on one HTTP/1.1 connection; how many were answered 200 with {@code body}. */
    private static long http1(InetSocketAddress listener, String path, byte[] body, int n) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + listener.getHostString() + ":" + listener.getPort()
                + "\r\nUser-Agent: archway-training\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long ok = 0;
        try (Socket socket = connect(listener)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < n; i++) {
                out.write(request);
                out.flush();
                String head = readHead(in);
                int length = contentLength(head);
                byte[] got = in.readNBytes(length);
                if (head.startsWith("HTTP/1.1 200 ") && java.util.Arrays.equals(got, body)) {
                    ok++;
                }
            }
        }
        return ok;
    }

    /** The status line and header fields, up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        throw new IOException("a response without content-length: " + head.lines().findFirst().orElse(""));
    }

    // HTTP/2 frame types and flags (RFC 9113, section 6).
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** {@code n} GETs of {@code path} on one h2c connection (prior knowledge), one stream at a time. */
    private static long h2c(InetSocketAddress listener, String path, byte[] body, int n) throws IOException {
        long ok = 0;
        try (Socket socket = connect(listener)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
            DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);
            Http2Headers request = new DefaultHttp2Headers().method("GET").scheme("http").path(path)
                    .authority(listener.getHostString() + ":" + listener.getPort()).add("user-agent", "archway-training");
            for (int i = 0, stream = 1; i < n; i++, stream += 2) {
                frame(out, HEADERS, END_STREAM | END_HEADERS, stream, encode(encoder, stream, request));
                out.flush();
                CharSequence status = null;
                ByteArrayOutputStream got = new ByteArrayOutputStream(body.length);
                boolean ended = false;
                while (!ended) {
                    byte[] header = in.readNBytes(9);
                    if (header.length < 9) {
                        throw new IOException("h2c connection closed");
                    }
                    int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                    int type = header[3];
                    int flags = header[4];
                    int id = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
                    byte[] payload = in.readNBytes(length);
                    switch (type) {
                        case SETTINGS:
                            if ((flags & ACK) == 0) {
                                frame(out, SETTINGS, ACK, 0, new byte[0]);
                            }
                            break;
                        case PING:
                            if ((flags & ACK) == 0) {
                                frame(out, PING, ACK, 0, payload);
                            }
                            break;
                        case HEADERS:
                            if (id == stream) {
                                status = decode(decoder, stream, payload, flags).status();
                                ended = (flags & END_STREAM) != 0;
                            }
                            break;
                        case DATA:
                            if (id == stream) {
                                got.write(payload, 0, payload.length);
                                ended = (flags & END_STREAM) != 0;
                            }
                            // The connection's window: the stream's own never runs out within one body.
                            if (length > 0) {
                                frame(out, WINDOW_UPDATE, 0, 0, int32(length));
                            }
                            break;
                        case RST_STREAM:
                        case GOAWAY:
                            throw new IOException("h2c: frame type " + type + " on stream " + id);
                        default:
                            break; // WINDOW_UPDATE and anything else: nothing to do
                    }
                }
                if (status != null && "200".contentEquals(status) && java.util.Arrays.equals(got.toByteArray(), body)) {
                    ok++;
                }
            }
        }
        return ok;
    }

    private static byte[] encode(DefaultHttp2HeadersEncoder encoder, int stream, Http2Headers headers) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, buf);
            return io.netty.buffer.ByteBufUtil.getBytes(buf);
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    /** A HEADERS frame's block (one frame: a response head fits the default maximum frame size). */
    private static Http2Headers decode(DefaultHttp2HeadersDecoder decoder, int stream, byte[] payload, int flags)
            throws IOException {
        if ((flags & END_HEADERS) == 0) {
            throw new IOException("h2c: a response head in CONTINUATION frames");
        }
        int from = 0;
        int to = payload.length;
        if ((flags & PADDED) != 0) {
            to -= payload[0] & 0xff;
            from++;
        }
        if ((flags & PRIORITY) != 0) {
            from += 5;
        }
        ByteBuf block = Unpooled.wrappedBuffer(payload, from, to - from);
        try {
            return decoder.decodeHeaders(stream, block);
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            block.release();
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(header);
        out.write(payload);
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static Socket connect(InetSocketAddress listener) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(listener, 5_000);
        return socket;
    }

    private static byte[] fourKiB() {
        byte[] b = new byte[4096];
        java.util.Arrays.fill(b, (byte) 'x');
        b[4095] = '\n';
        return b;
    }
}
