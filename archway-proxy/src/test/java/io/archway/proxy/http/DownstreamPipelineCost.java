package io.archway.proxy.http;

import io.archway.proxy.http.h1.Http1ClientCodec;
import io.archway.proxy.http.h1.Http1Parser;
import io.archway.proxy.http.h1.Http1ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 pipelines' own cost per keep-alive request, without sockets, with Netty's combined
 * codecs ("combined": {@link HttpServerCodec}, {@link HttpClientCodec}) and with the proxy's two-handler
 * codecs ("split": {@link Http1ServerCodec}, {@link Http1ClientCodec}).
 * Downstream: wrk's request decoded and passed through the h2c upgrade handler (gone after the first
 * request) to a sink standing for {@link HttpProxyHandler}, and a 2-byte response written back (the
 * head with the void promise, then the last content with a listener, as {@link HttpRouter} writes
 * it). Upstream: the request written as {@code UpstreamAttempt} writes it, and nginx's response to it
 * decoded to a sink standing for {@code UpstreamHandler}.
 * Prints thread CPU and bytes allocated per request (exact on a busy box), interleaved rounds:
 * {@code java -cp "$(cat /tmp/archway-jmh-cp)" io.archway.proxy.http.DownstreamPipelineCost [ops [combined|split]]}
 * (with a codec named, only that one runs: alternate JVMs of each for a figure free of the other's
 * JIT profile)
 * (class path from {@code bench/jmh-proxy.sh}). With {@code response} as the codec, the response path
 * alone: nginx's response decoded by the upstream codec, stripped and written by the downstream one,
 * with the response decoder {@code -Darchway.http1.responseParser} selects.
 */
public final class DownstreamPipelineCost {
    private static final byte[] REQUEST = "GET /small HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
            + "Date: Thu, 03 Dec 2026 15:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            + "Connection: keep-alive\r\n\r\nok").getBytes(StandardCharsets.US_ASCII);

    private DownstreamPipelineCost() {
    }

    /** Stands for HttpProxyHandler / UpstreamHandler: drops what arrives. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        int messages;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages++;
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Stands for UpstreamHandler and HttpRouter on the response path: the decoded head's own headers,
     * stripped of hop-by-hop fields in place, go downstream in a new response (as
     * {@code HttpRouter.onResponseHead}), the last content with a flush.
     */
    private static final class Forwarder extends ChannelInboundHandlerAdapter {
        private final EmbeddedChannel client;
        int messages;

        Forwarder(EmbeddedChannel client) {
            this.client = client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages++;
            if (msg instanceof io.netty.handler.codec.http.HttpResponse response) {
                final io.netty.handler.codec.http.HttpHeaders headers = HopByHopHeaders.stripInPlace(response.headers());
                client.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers),
                        client.voidPromise());
            }
            if (msg instanceof LastHttpContent last) {
                client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else if (msg instanceof io.netty.handler.codec.http.HttpContent content) {
                client.write(content, client.voidPromise());
            }
        }
    }

    /** The client's side of the response path: the proxy's downstream codec (its encoder writes the response). */
    private static EmbeddedChannel client() {
        final EmbeddedChannel ch = new EmbeddedChannel();
        Http1Parser.CODEC.serverCodec(HttpCodecConfig.server(8192, 16384)).addLast(ch.pipeline());
        return ch;
    }

    private static EmbeddedChannel downstream(boolean split, Sink sink) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        final HttpServerUpgradeHandler.SourceCodec source;
        if (split) {
            final Http1ServerCodec codec = Http1Parser.CODEC.serverCodec(HttpCodecConfig.server(8192, 16384));
            codec.addLast(ch.pipeline());
            source = codec;
        } else {
            final HttpServerCodec codec = new HttpServerCodec(HttpCodecConfig.server(8192, 16384));
            ch.pipeline().addLast(codec);
            source = codec;
        }
        ch.pipeline().addLast(new HttpServerUpgradeHandler(source, protocol -> null, 65536,
                DefaultHttpHeadersFactory.headersFactory(), DefaultHttpHeadersFactory.trailersFactory(), true), sink);
        return ch;
    }

    private static EmbeddedChannel upstream(boolean split, Sink sink) {
        final EmbeddedChannel ch = new EmbeddedChannel();
        if (split) {
            new Http1ClientCodec(HttpCodecConfig.client()).addLast(ch.pipeline());
        } else {
            ch.pipeline().addLast(new HttpClientCodec(HttpCodecConfig.client(), false, false));
        }
        ch.pipeline().addLast(sink);
        return ch;
    }

    private static int drain(EmbeddedChannel ch) {
        int n = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            n += o instanceof ByteBuf b ? b.readableBytes() : 0;
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    private static int downstreamRequest(EmbeddedChannel ch, ByteBuf bytes) {
        ch.pipeline().fireChannelRead(bytes.retainedDuplicate());
        ch.pipeline().fireChannelReadComplete();
        final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        ch.write(head, ch.voidPromise());
        ch.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {'o', 'k'})))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return drain(ch);
    }

    private static int upstreamRequest(EmbeddedChannel ch, ByteBuf bytes) {
        final DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/small");
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:18084");
        ch.write(request, ch.voidPromise());
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        final int n = drain(ch);
        ch.pipeline().fireChannelRead(bytes.retainedDuplicate());
        ch.pipeline().fireChannelReadComplete();
        return n;
    }

    /** nginx's response decoded upstream and written downstream as the proxy forwards it. */
    private static int responsePath(EmbeddedChannel upstream, EmbeddedChannel client, ByteBuf bytes) {
        upstream.pipeline().fireChannelRead(bytes.retainedDuplicate());
        upstream.pipeline().fireChannelReadComplete();
        return drain(client);
    }

    /**
     * The response path alone ({@code ... DownstreamPipelineCost ops response}): run one JVM with
     * {@code -Darchway.http1.responseParser=codec} and one without (the slice decoder), alternated.
     */
    private static void responseOnly(int ops, com.sun.management.ThreadMXBean threads, long tid, ByteBuf response) {
        System.out.println("| side | response parser | round | thread CPU ns/response | bytes/response |");
        System.out.println("|---|---|---:|---:|---:|");
        final String parser = System.getProperty(Http1ClientCodec.RESPONSE_PARSER_PROPERTY, "slice");
        for (int round = 1; round <= 6; round++) {
            final EmbeddedChannel client = client();
            final Forwarder forwarder = new Forwarder(client);
            final EmbeddedChannel upstream = new EmbeddedChannel();
            new Http1ClientCodec(HttpCodecConfig.client()).addLast(upstream.pipeline());
            upstream.pipeline().addLast(forwarder);
            int out = 0;
            for (int i = 0; i < ops / 10; i++) {
                out += responsePath(upstream, client, response);
            }
            final long cpu0 = threads.getCurrentThreadCpuTime();
            final long bytes0 = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < ops; i++) {
                out += responsePath(upstream, client, response);
            }
            final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            final long allocated = threads.getThreadAllocatedBytes(tid) - bytes0;
            if (forwarder.messages != 2 * (ops + ops / 10) || out == 0) {
                throw new IllegalStateException("messages lost: " + forwarder.messages);
            }
            System.out.printf("| response | %s | %d | %d | %d |%n", parser, round, cpu / ops, allocated / ops);
            upstream.finishAndReleaseAll();
            client.finishAndReleaseAll();
        }
    }

    public static void main(String[] args) {
        final int ops = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        // "combined" or "split" alone: one JVM per codec, so neither's JIT profile shapes the other's code.
        final String only = args.length > 1 ? args[1] : "both";
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        final ByteBuf request = Unpooled.directBuffer().writeBytes(REQUEST);
        final ByteBuf response = Unpooled.directBuffer().writeBytes(RESPONSE);
        if (only.equals("response")) {
            responseOnly(ops, threads, tid, response);
            response.release();
            request.release();
            return;
        }
        System.out.println("| side | codec | round | thread CPU ns/request | bytes/request |");
        System.out.println("|---|---|---:|---:|---:|");
        // Interleaved rounds: combined, split, combined, split...
        for (int round = 1; round <= 6; round++) {
            for (boolean up : new boolean[] {false, true}) {
                for (boolean split : new boolean[] {false, true}) {
                    if (!only.equals("both") && split != only.equals("split")) {
                        continue;
                    }
                    final Sink sink = new Sink();
                    final EmbeddedChannel ch = up ? upstream(split, sink) : downstream(split, sink);
                    final ByteBuf bytes = up ? response : request;
                    int out = 0;
                    for (int i = 0; i < ops / 10; i++) { // warm-up (the first request removes the upgrade handler)
                        out += up ? upstreamRequest(ch, bytes) : downstreamRequest(ch, bytes);
                    }
                    final long cpu0 = threads.getCurrentThreadCpuTime();
                    final long bytes0 = threads.getThreadAllocatedBytes(tid);
                    for (int i = 0; i < ops; i++) {
                        out += up ? upstreamRequest(ch, bytes) : downstreamRequest(ch, bytes);
                    }
                    final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    final long allocated = threads.getThreadAllocatedBytes(tid) - bytes0;
                    if (sink.messages != 2 * (ops + ops / 10) || out == 0) {
                        throw new IllegalStateException("messages lost: " + sink.messages);
                    }
                    System.out.printf("| %s | %s | %d | %d | %d |%n", up ? "upstream" : "downstream",
                            split ? "split" : "combined", round, cpu / ops, allocated / ops);
                    ch.finishAndReleaseAll();
                }
            }
        }
        request.release();
        response.release();
    }
}
