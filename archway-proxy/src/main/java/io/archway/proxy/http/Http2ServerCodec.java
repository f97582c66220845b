package io.archway.proxy.http;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Netty's {@link Http2FrameCodec} for a downstream HTTP/2 connection, the one {@link Http2Streams}
 * follows, with every connection rule of {@link Http2FrameCodecBuilder#forServer()} and one change:
 * the send window is shared among streams by Netty's {@link UniformStreamByteDistributor} instead of
 * its default {@code WeightedFairQueueByteDistributor}.
 *
 * <p>Why. The weighted queue keeps a priority tree of RFC 7540 section 5.3 (a node per stream with a
 * child list, a parent-changed event per move, and a queue of closed streams kept for their
 * priority): a tree built and torn down per stream for a proxy whose streams each carry one
 * response. Its code was on 9.5 % of the event loop's CPU samples of small h2c requests, the
 * uniform distributor's is on 5.3 % (docs/PERFORMANCE.md, session 10). RFC 9113
 * section 5.3 deprecates that priority signalling and lets a server ignore it (section 5.3.2); the
 * uniform distributor shares the window among streams with data in turn (at least 1 KiB each), and
 * still reads and checks PRIORITY frames and the priority of HEADERS (a stream depending on itself
 * remains a stream error). Flow control itself (windows, WINDOW_UPDATE, SETTINGS_INITIAL_WINDOW_SIZE)
 * is the same {@link DefaultHttp2RemoteFlowController}.
 */
public final class Http2ServerCodec extends Http2FrameCodecBuilder {
    private Http2ServerCodec() {
        // server (the default of a builder without forServer/forClient): the connection below is a server's
    }

    /**
     * @param settings the SETTINGS the server sends
     * @param gracefulShutdownMillis how long a closing connection (GOAWAY sent) waits for its open streams
     */
    public static Http2FrameCodec build(Http2Settings settings, long gracefulShutdownMillis) {
        final Http2ServerCodec builder = new Http2ServerCodec();
        final Http2Connection connection = new DefaultHttp2Connection(true, builder.maxReservedStreams());
        connection.remote().flowController(
                new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        return builder.connection(connection)
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(gracefulShutdownMillis)
                .build();
    }
}
