package io.archway.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The downstream HTTP/1.1 pipeline's own cost per keep-alive request, without sockets: wrk's request
 * decoded and passed through the handlers before {@link HttpProxyHandler}, and a 2-byte response
 * written back (head, then the last content with a listener, as {@link HttpRouter} writes it).
 * "before": codec, h2c upgrade handler kept for every request, Netty's 100-continue handler, a
 * promise and listener on the head write; "after": the upgrade handler gone after the first request,
 * no 100-continue handler (the proxy handler answers it), the head written with the void promise.
 * Prints thread CPU and bytes allocated per request (exact on a busy box), best of five rounds:
 * {@code java -cp "$(cat /tmp/archway-jmh-cp)" io.archway.proxy.http.DownstreamPipelineCost [ops]}
 * (class path from {@code bench/jmh-proxy.sh}).
 */
public final class DownstreamPipelineCost {
    private static final byte[] REQUEST = "GET /small HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private DownstreamPipelineCost() {
    }

    /** Stands for HttpProxyHandler: drops what arrives. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        int requests;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            requests++;
            ReferenceCountUtil.release(msg);
        }
    }

    private static EmbeddedChannel pipeline(boolean after, Sink sink) {
        final HttpServerCodec codec = new HttpServerCodec(HttpCodecConfig.server(8192, 16384));
        final HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol -> null, 65536,
                DefaultHttpHeadersFactory.headersFactory(), DefaultHttpHeadersFactory.trailersFactory(), after);
        final ChannelHandler[] handlers = after ? new ChannelHandler[] {codec, upgrade, sink}
                : new ChannelHandler[] {codec, upgrade, new HttpServerExpectContinueHandler(), sink};
        return new EmbeddedChannel(handlers);
    }

    private static int request(EmbeddedChannel ch, ByteBuf bytes, boolean after) {
        ch.pipeline().fireChannelRead(bytes.retainedDuplicate());
        ch.pipeline().fireChannelReadComplete();
        final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        if (after) {
            ch.write(head, ch.voidPromise());
        } else {
            ch.write(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        ch.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {'o', 'k'})))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        int n = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            n += o instanceof ByteBuf b ? b.readableBytes() : 0;
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    public static void main(String[] args) {
        final int ops = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        final ByteBuf bytes = Unpooled.directBuffer().writeBytes(REQUEST);
        System.out.println("| pipeline | round | thread CPU ns/request | bytes/request |");
        System.out.println("|---|---:|---:|---:|");
        // Interleaved rounds: before, after, before, after...
        for (int round = 1; round <= 6; round++) {
            for (boolean after : new boolean[] {false, true}) {
                final Sink sink = new Sink();
                final EmbeddedChannel ch = pipeline(after, sink);
                int out = 0;
                for (int i = 0; i < ops / 10; i++) {
                    out += request(ch, bytes, after); // warm-up (and the first request, which removes the handler)
                }
                final long cpu0 = threads.getCurrentThreadCpuTime();
                final long bytes0 = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < ops; i++) {
                    out += request(ch, bytes, after);
                }
                final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                final long allocated = threads.getThreadAllocatedBytes(tid) - bytes0;
                if (sink.requests != 2 * (ops + ops / 10) || out == 0) {
                    throw new IllegalStateException("requests lost: " + sink.requests);
                }
                System.out.printf("| %s | %d | %d | %d |%n", after ? "after" : "before", round, cpu / ops,
                        allocated / ops);
                ch.finishAndReleaseAll();
            }
        }
        bytes.release();
    }
}
