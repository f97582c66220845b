package io.archway.proxy.http;

import io.archway.proxy.http.h1.RequestHeadDecoder;
import io.archway.proxy.http.h1.Http1ClientCodec;
import io.archway.snapshot.Hostnames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP/1.1 head work of one proxied request, without sockets: what the proxy does today with
 * Netty's codec (decode the downstream request with the strict server settings, validate, strip
 * hop-by-hop fields, add the forwarding fields, encode it for the upstream; decode the upstream
 * response, strip, encode it downstream) against the {@link SliceForwardingPrototype} doing the
 * same validation and forwarding on byte ranges. Run with {@code bench/jmh-proxy.sh Http1HotPath
 * -prof gc} for allocation per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(3)
public class Http1HotPathBenchmark {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final byte[] NOTHING_ADDED = new byte[0];

    /** wrk's request (Host only) or a browser's (ten fields, about 500 bytes). */
    @Param({"wrk", "browser"})
    public String request;

    /** The backend's answer: nginx's 2-byte body or 4 KiB. */
    @Param({"small", "4k"})
    public String body;

    private ByteBuf requestBytes;
    private ByteBuf responseBytes;
    private EmbeddedChannel requestDecoder;
    private EmbeddedChannel sliceDecoder;
    private EmbeddedChannel sliceEncoder;
    private EmbeddedChannel requestEncoder;
    private EmbeddedChannel responseDecoder;
    private EmbeddedChannel responseEncoder;
    private SliceForwardingPrototype slices;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    @Setup(Level.Trial)
    public void setUp() {
        final String head = "wrk".equals(request)
                ? "GET /small HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n"
                : "GET /api/v1/items?page=2 HTTP/1.1\r\nHost: shop.example.com\r\n"
                        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                        + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                        + "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
                        + "Connection: keep-alive\r\nReferer: https://shop.example.com/\r\n"
                        + "Cookie: session=4f9c2b7e61d04a7f8e3a; theme=dark; cart=3\r\n"
                        + "Upgrade-Insecure-Requests: 1\r\nPriority: u=0, i\r\n\r\n";
        requestBytes = Unpooled.directBuffer().writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        final String payload = "small".equals(body) ? "ok" : "x".repeat(4095) + "\n";
        final String response = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Thu, 03 Dec 2026 15:00:00 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: " + payload.length() + "\r\n"
                + "Connection: keep-alive\r\n\r\n" + payload;
        responseBytes = Unpooled.directBuffer().writeBytes(response.getBytes(StandardCharsets.US_ASCII));
        requestDecoder = new EmbeddedChannel(new HttpRequestDecoder(HttpCodecConfig.server(8192, 16384)));
        sliceDecoder = new EmbeddedChannel(new RequestHeadDecoder(HttpCodecConfig.server(8192, 16384)));
        sliceEncoder = new EmbeddedChannel();
        new Http1ClientCodec(HttpCodecConfig.client()).addLast(sliceEncoder.pipeline());
        requestEncoder = new EmbeddedChannel(new HttpRequestEncoder());
        responseDecoder = new EmbeddedChannel(new HttpResponseDecoder(HttpCodecConfig.client()));
        responseEncoder = new EmbeddedChannel(new HttpResponseEncoder());
        slices = new SliceForwardingPrototype(8192, 16384);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        requestDecoder.finishAndReleaseAll();
        sliceDecoder.finishAndReleaseAll();
        sliceEncoder.finishAndReleaseAll();
        requestEncoder.finishAndReleaseAll();
        responseDecoder.finishAndReleaseAll();
        responseEncoder.finishAndReleaseAll();
        requestBytes.release();
        responseBytes.release();
    }

    /** The codec (the default): Netty decode, validation, hop-by-hop strip, forwarding fields, Netty encode. */
    @Benchmark
    public int nettyRequest() {
        return proxyRequest(requestDecoder, requestEncoder);
    }

    private int proxyRequest(EmbeddedChannel decoder, EmbeddedChannel encoder) {
        decoder.writeInbound(requestBytes.retainedDuplicate());
        final HttpRequest in = decoder.readInbound();
        final Object last = decoder.readInbound();
        if (in.decoderResult().isFailure() || RequestValidator.validate(in) != null) {
            throw new IllegalStateException("rejected");
        }
        final boolean keepAlive = HttpUtil.isKeepAlive(in);
        final RequestTarget target = RequestTarget.parse(in);
        final String host = Hostnames.normalizeHost(target.authority());
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(in.headers());
        headers.set(X_FORWARDED_FOR, "127.0.0.1");
        headers.set(X_FORWARDED_PROTO, "http");
        final HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), target.pathAndQuery(),
                headers);
        encoder.writeOutbound(out, last);
        return drain(encoder) + (keepAlive ? host.length() : 0);
    }

    /**
     * The slice parser ({@code -Darchway.http1.parser=slice}): the same steps as {@link #nettyRequest}
     * (validation, target, hop-by-hop strip, forwarding fields) on {@code FieldLines}, encoded by the
     * upstream codec that goes with it ({@code Http1ClientCodec}: received fields copied).
     */
    @Benchmark
    public int sliceRequest() {
        return proxyRequest(sliceDecoder, sliceEncoder);
    }

    /** Today: Netty decode of the upstream response, hop-by-hop strip, Netty encode. */
    @Benchmark
    public int nettyResponse() {
        responseDecoder.writeInbound(responseBytes.retainedDuplicate());
        final HttpResponse in = responseDecoder.readInbound();
        final boolean keepAlive = HttpUtil.isKeepAlive(in);
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(in.headers());
        final HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, in.status(), headers);
        responseEncoder.write(out);
        Object content;
        while ((content = responseDecoder.readInbound()) != null) {
            responseEncoder.write((HttpContent) content);
        }
        responseEncoder.flush();
        return drain(responseEncoder) + (keepAlive ? 1 : 0);
    }

    /** The prototype: the response head copied as byte ranges, the body forwarded as a slice. */
    @Benchmark
    public int sliceResponse() {
        final ByteBuf in = responseBytes.retainedDuplicate();
        if (!slices.parseResponse(in)) {
            throw new IllegalStateException("rejected");
        }
        final ByteBuf head = alloc.directBuffer(slices.headEnd - in.readerIndex() + 32);
        slices.forward(in, head, NOTHING_ADDED);
        final ByteBuf bodySlice = in.readRetainedSlice((int) slices.contentLength);
        final int n = head.readableBytes() + bodySlice.readableBytes();
        head.release();
        bodySlice.release();
        in.release();
        return n;
    }

    private static int drain(EmbeddedChannel ch) {
        int n = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf b) {
                n += b.readableBytes();
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    /**
     * Thread CPU time and heap bytes allocated per operation (exact, and unaffected by other
     * processes the way wall time is on a shared box): {@code bench/jmh-proxy.sh} puts the class
     * path together; run {@code java -cp ... io.archway.proxy.http.Http1HotPathBenchmark [ops]}.
     * Best of five rounds per method and parameter set.
     */
    public static void main(String[] args) {
        final int ops = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        System.out.println("| request | body | method | thread CPU ns/op | bytes/op |");
        System.out.println("|---|---|---|---:|---:|");
        for (String request : new String[] {"wrk", "browser"}) {
            for (String body : new String[] {"small", "4k"}) {
                final Http1HotPathBenchmark b = new Http1HotPathBenchmark();
                b.request = request;
                b.body = body;
                b.setUp();
                final String[] names = {"nettyRequest", "sliceRequest", "nettyResponse", "sliceResponse"};
                final java.util.function.IntSupplier[] methods = {b::nettyRequest, b::sliceRequest, b::nettyResponse,
                    b::sliceResponse};
                for (int m = 0; m < methods.length; m++) {
                    long bestCpu = Long.MAX_VALUE;
                    long bestBytes = Long.MAX_VALUE;
                    int sink = 0;
                    for (int round = 0; round < 5; round++) {
                        final long cpu0 = threads.getCurrentThreadCpuTime();
                        final long bytes0 = threads.getThreadAllocatedBytes(tid);
                        for (int i = 0; i < ops; i++) {
                            sink += methods[m].getAsInt();
                        }
                        bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - cpu0);
                        bestBytes = Math.min(bestBytes, threads.getThreadAllocatedBytes(tid) - bytes0);
                    }
                    System.out.printf("| %s | %s | %s | %d | %d |%s%n", request, body, names[m], bestCpu / ops,
                            bestBytes / ops, sink == 42 ? " " : "");
                }
                b.tearDown();
            }
        }
    }
}
