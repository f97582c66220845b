package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * In-process equivalent of the upstream {@code echo-basic} backend ({@code conformance/echo-basic}
 * at v1.6.1) behind Go's {@code net/http} server: one Netty listener per pod address and port,
 * answering every request with the JSON description of what it received.
 *
 * <p>Like Go's server it refuses, with 400 and a closed connection, a request it cannot parse, an
 * HTTP/1.1 request with no Host, with more than one Host line (even identical ones) or with a
 * malformed Host; like Go's {@code ServeMux} behind echo-basic's {@code preserveSlashes} (which
 * first folds {@code //} into {@code /}) it answers 301 to a path with {@code .} or {@code ..}
 * segments (to the cleaned path) and to {@code /status} or {@code /retry} (to the subtree).
 *
 * <ul>
 *   <li>{@code /health}: 200 {@code OK};</li>
 *   <li>{@code /status/NNN}: status NNN (400 when malformed);</li>
 *   <li>{@code /retry/?uuid=U&succeedAfter=N[&responseCode=C][&delayRetry=D]}: the first N
 *       attempts of U are reset (or answered C), later ones echo;</li>
 *   <li>anything else: 200 {@code application/json} {@code {path, host, method, proto, headers,
 *       httpPort, namespace, ingress, service, pod[, tls]}}, after an optional {@code ?delay=} and
 *       with the response headers asked for by {@code X-Echo-Set-Header: Name:value,Name2:value2};
 *       each is logged as echo-basic prints it ({@link #logs}, what the mirror tests read).
 *       {@code tls} (version, peerCertificates, serverName, negotiatedProtocol, cipherSuite) is
 *       there on a TLS listener only.</li>
 *   <li>{@code /ws}: a WebSocket that echoes every message (golang.org/x/net/websocket with
 *       {@code io.Copy(ws, ws)}; an Origin header is required).</li>
 * </ul>
 *
 * <p>Port 3001 is echo-basic's h2c server: HTTP/2 by prior knowledge (proto {@code HTTP/2.0}),
 * and plain HTTP/1.1 answered 400 {@code Expected h2c request} unless it asks {@code Upgrade: h2c}.
 */
final class EchoServer implements AutoCloseable {

    /** One echo pod: its identity and the address it answers on. */
    record Pod(String namespace, String name, String service, String ip) {
    }

    private static final Pattern STATUS = Pattern.compile("^/status/(\\d\\d\\d)$");

    private final EventLoopGroup group;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    /** retrySimulation.attempts: uuid -> attempts refused so far. */
    private final Map<String, Integer> retryAttempts = new java.util.concurrent.ConcurrentHashMap<>();

    /** One line an echo pod printed (echo-basic's stdout, as kubectl logs shows it). */
    record LogLine(long atMillis, Pod pod, String text) {
    }

    /** What every pod printed, in order (DumpEchoLogs reads it). */
    private final List<LogLine> logs = new CopyOnWriteArrayList<>();

    /** Faults a proxy under test is made to commit on the wire, as this backend would read them. */
    private final java.util.Set<Fault> faults;

    EchoServer() {
        this(java.util.Set.of());
    }

    /** An echo server reading the faults {@code faults} holds at each request (a live set). */

    EchoServer(java.util.Set<Fault> faults) {
        this.faults = faults;
        group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
    }

    /** Starts answering for {@code pod} on {@code pod.ip():port}; returns the bound address. */
    InetSocketAddress listen(Pod pod, int port) throws InterruptedException {
        return listen(pod, port, null);
    }

    /**
     * Starts answering for {@code pod} on {@code pod.ip():port}, over TLS when {@code tls} is set
     * (echo-basic's HTTPS port; a client certificate is verified if given, as
     * {@code tls.VerifyClientCertIfGiven}); returns the bound address.
     */
    InetSocketAddress listen(Pod pod, int port, io.netty.handler.ssl.SslContext tls) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int local = ((InetSocketAddress) ch.localAddress()).getPort();
                        // echo-basic reports HTTP_PORT (3000) also on its h2c port 3001 and its HTTPS port
                        int reported = local == H2C_PORT || (tls != null && local == 8443) ? 3000 : local;
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        if (tls == null && local == H2C_PORT) {
                            // runH2CServer: HTTP/1.1 and unencrypted HTTP/2 by prior knowledge
                            ch.pipeline().addLast(new PrefaceSniffer(pod, reported));
                        } else {
                            http1(ch.pipeline(), pod, reported, false);
                        }
                    }
                });
        Channel ch = b.bind(new InetSocketAddress(pod.ip(), port)).sync().channel();
        channels.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    /** echo-basic's H2C_PORT default. */
    static final int H2C_PORT = 3001;

    /** The HTTP/1.1 pipeline; {@code h2cPort}: the h2c server's, which refuses plain HTTP/1.1. */
    private void http1(ChannelPipeline p, Pod pod, int reported, boolean h2cPort) {
        p.addLast(new HttpServerCodec());
        p.addLast(faultsHandler());
        p.addLast(new HttpObjectAggregator(1 << 20), new Handler(pod, reported, h2cPort));
    }

    private io.netty.channel.ChannelInboundHandlerAdapter faultsHandler() {
        return new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof io.netty.handler.codec.http.HttpRequest req) {
                    faults.forEach(f -> f.distortUpstreamRequest(req));
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /**
     * Go's server with unencrypted HTTP/2 enabled: a connection that opens with the HTTP/2 client
     * preface is HTTP/2 (one echo per stream, proto {@code HTTP/2.0}), any other is HTTP/1.1.
     */
    private final class PrefaceSniffer extends io.netty.handler.codec.ByteToMessageDecoder {
        private final Pod pod;
        private final int reported;

        PrefaceSniffer(Pod pod, int reported) {
            this.pod = pod;
            this.reported = reported;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuf preface = io.netty.handler.codec.http2.Http2CodecUtil.connectionPrefaceBuf();
            try {
                int n = Math.min(in.readableBytes(), preface.readableBytes());
                boolean prefix = io.netty.buffer.ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
                if (prefix && n < preface.readableBytes()) {
                    return; // wait for the rest of the preface
                }
                ChannelPipeline p = ctx.pipeline();
                if (prefix) {
                    p.addAfter(ctx.name(), "h2", io.netty.handler.codec.http2.Http2FrameCodecBuilder.forServer().build());
                    p.addAfter("h2", "streams", new io.netty.handler.codec.http2.Http2MultiplexHandler(
                            new ChannelInitializer<io.netty.handler.codec.http2.Http2StreamChannel>() {
                                @Override
                                protected void initChannel(io.netty.handler.codec.http2.Http2StreamChannel stream) {
                                    stream.pipeline().addLast(
                                            new io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec(true),
                                            faultsHandler(), new HttpObjectAggregator(1 << 20),
                                            new Handler(pod, reported, true));
                                }
                            }));
                } else {
                    http1(p, pod, reported, true);
                }
                p.remove(this);
            } finally {
                preface.release();
            }
        }
    }

    long requestCount() {
        return requests.get();
    }

    /**
     * kubernetes.DumpEchoLogs: the lines printed since {@code sinceMillis} by the pods of
     * Deployment {@code app} (label {@code app: <name>}) in {@code namespace}.
     */
    List<String> logs(String namespace, String app, long sinceMillis) {
        List<String> out = new ArrayList<>();
        for (LogLine l : logs) {
            if (l.atMillis() >= sinceMillis && l.pod().namespace().equals(namespace) && l.pod().service().equals(app)) {
                out.add(l.text());
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Go's textproto.CanonicalMIMEHeaderKey for the common (token) case. */
    static String canonicalHeaderName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c == '-' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\''
                    || c == '*' || c == '+' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~'
                    || Character.isLetterOrDigit(c);
            if (!token || c == ' ') {
                return name;
            }
        }
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    /** Parses Go-style durations used by {@code ?delay=}: e.g. 10ms, 1s, 1.5s, 2m. */
    static long parseDurationMillis(String d) {
        Matcher m = Pattern.compile("^([0-9.]+)(ms|s|m|h|us|µs|ns)$").matcher(d.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("time: invalid duration \"" + d + "\"");
        }
        double v = Double.parseDouble(m.group(1));
        return (long) switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> 0;
        };
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Pod pod;
        private final int port;

        /** The h2c server's handler: plain HTTP/1.1 without {@code Upgrade: h2c} gets 400. */
        private final boolean h2cPort;

        Handler(Pod pod, int port, boolean h2cPort) {
            this.pod = pod;
            this.port = port;
            this.h2cPort = h2cPort;
        }

        private boolean http2(ChannelHandlerContext ctx) {
            return ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            requests.incrementAndGet();
            String refused = GoServerRules.refusal(req);
            if (refused != null) {
                ctx.writeAndFlush(GoServerRules.badRequest(refused)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (h2cPort && !http2(ctx) && !"h2c".equals(req.headers().get(HttpHeaderNames.UPGRADE))) {
                write(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "Expected h2c request"));
                return;
            }
            String uri = req.uri();
            String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            if (path.equals("/ws") && !http2(ctx)) {
                WebSocketEcho.handshake(ctx, req);
                return;
            }
            String redirect = GoServerRules.muxRedirect(uri);
            if (redirect != null) {
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.MOVED_PERMANENTLY);
                res.headers().set(HttpHeaderNames.LOCATION, redirect);
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                write(ctx, keepAlive, res);
                return;
            }
            if (path.startsWith("/retry/")) {
                retry(ctx, req, keepAlive);
                return;
            }
            if (path.equals("/health")) {
                write(ctx, keepAlive, text(HttpResponseStatus.OK, "OK"));
                return;
            }
            if (path.startsWith("/status/")) {
                Matcher m = STATUS.matcher(uri);
                int code = m.matches() ? Integer.parseInt(m.group(1)) : 400;
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                write(ctx, keepAlive, res);
                return;
            }
            // echoHandler's first line: fmt.Printf("Echoing back request made to %s to client (%s)\n", ...)
            logs.add(new LogLine(System.currentTimeMillis(), pod, "Echoing back request made to " + uri
                    + " to client (" + ctx.channel().remoteAddress() + ")"));
            FullHttpResponse res = echo(ctx, req);
            String delay = queryParam(uri, "delay");
            if (delay != null && !delay.isEmpty()) {
                long ms;
                try {
                    ms = parseDurationMillis(delay);
                } catch (IllegalArgumentException e) {
                    write(ctx, keepAlive, error(e.getMessage()));
                    res.release();
                    return;
                }
                ctx.executor().schedule(() -> write(ctx, keepAlive, res), ms, TimeUnit.MILLISECONDS);
                return;
            }
            write(ctx, keepAlive, res);
        }

        /** retrySimulationHandler: refuse the first succeedAfter attempts of a uuid, then echo. */
        private void retry(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            String uuid = queryParam(req.uri(), "uuid");
            if (uuid == null || uuid.isEmpty()) {
                write(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "uuid is required"));
                return;
            }
            int succeedAfter;
            try {
                succeedAfter = Integer.parseInt(String.valueOf(queryParam(req.uri(), "succeedAfter")));
            } catch (NumberFormatException e) {
                write(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "succeedAfter is required"));
                return;
            }
            boolean refuse;
            synchronized (retryAttempts) {
                int seen = retryAttempts.getOrDefault(uuid, 0);
                refuse = seen < succeedAfter;
                if (refuse) {
                    retryAttempts.put(uuid, seen + 1);
                }
            }
            if (!refuse) {
                write(ctx, keepAlive, echo(ctx, req));
                return;
            }
            Integer code;
            try {
                code = Integer.valueOf(String.valueOf(queryParam(req.uri(), "responseCode")));
            } catch (NumberFormatException e) {
                code = null;
            }
            Integer answer = code;
            Runnable attempt = () -> {
                if (answer != null) {
                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(answer));
                    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                    write(ctx, keepAlive, res);
                } else {
                    // Hijack, SetLinger(0), Close: the client sees a reset
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                }
            };
            String delay = queryParam(req.uri(), "delayRetry");
            if (delay == null || delay.isEmpty()) {
                attempt.run();
                return;
            }
            long ms;
            try {
                ms = parseDurationMillis(delay);
            } catch (IllegalArgumentException e) {
                write(ctx, keepAlive, error(e.getMessage()));
                return;
            }
            ctx.executor().schedule(attempt, ms, TimeUnit.MILLISECONDS);
        }

        private FullHttpResponse echo(ChannelHandlerContext ctx, FullHttpRequest req) {
            ObjectNode body = Json.JSON.createObjectNode();
            body.put("path", req.uri());
            String host = req.headers().get(HttpHeaderNames.HOST);
            body.put("host", host == null ? "" : host);
            body.put("method", req.method().name());
            body.put("proto", http2(ctx) ? "HTTP/2.0" : req.protocolVersion().text());
            ObjectNode headers = body.putObject("headers");
            Map<String, List<String>> grouped = new LinkedHashMap<>();
            for (Map.Entry<String, String> h : req.headers()) {
                String name = canonicalHeaderName(h.getKey());
                if (name.equals("Host")) {
                    continue;
                }
                grouped.computeIfAbsent(name, k -> new ArrayList<>()).add(h.getValue());
            }
            grouped.forEach((name, values) -> {
                ArrayNode arr = headers.putArray(name);
                values.forEach(arr::add);
            });
            body.put("namespace", pod.namespace());
            body.put("ingress", "");
            body.put("service", pod.service());
            body.put("pod", pod.name());
            body.put("httpPort", String.valueOf(port));
            io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (ssl != null) {
                body.set("tls", GoServerRules.tlsAssertions(ssl));
            }
            byte[] json;
            try {
                json = Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return error(e.getMessage());
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(json));
            // writeEchoResponseHeaders: X-Echo-Set-Header: Name:value,Name2:value2
            Map<String, String> set = new LinkedHashMap<>();
            for (String list : req.headers().getAll("X-Echo-Set-Header")) {
                for (String kv : list.split(",", -1)) {
                    String t = kv.trim();
                    int colon = t.indexOf(':');
                    String name = colon < 0 ? t : t.substring(0, colon);
                    String value = colon < 0 ? "" : t.substring(colon + 1);
                    if (name.isEmpty()) {
                        continue;
                    }
                    set.merge(name, value, (a, b) -> a + "," + b.trim());
                }
            }
            set.forEach((k, v) -> res.headers().set(k, v.trim()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().set("X-Content-Type-Options", "nosniff");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, json.length);
            return res;
        }

        private FullHttpResponse text(HttpResponseStatus status, String text) {
            ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
            return res;
        }

        private FullHttpResponse error(String message) {
            ObjectNode o = Json.JSON.createObjectNode().put("message", message);
            byte[] b = Json.toJson(o).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.INTERNAL_SERVER_ERROR, Unpooled.wrappedBuffer(b));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, b.length);
            return res;
        }

        private void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
            if (!keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(res);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static String queryParam(String uri, String name) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String kv : uri.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
