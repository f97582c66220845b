package io.archway.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * One request proxied to one upstream connection: streams the request body up and the response
 * body down, each direction with backpressure (a side stops reading while the other side is not
 * writable), and returns the upstream connection to the pool when both directions ended cleanly.
 *
 * <p>Upstream failures: connection refused answers 503 (nothing listens: the endpoint is not
 * available); a connect timeout answers 504 (the upstream did not answer in time); a reset or
 * close before the response headers answers 502; after the response started the only honest
 * signal left is closing the downstream connection.
 *
 * <p>Reporting: once the response's last byte is written (or the exchange ends without one) it
 * reports itself to the {@link Telemetry} exactly once: status, duration, route, backend, bytes
 * and the upstream timings. The exchange is its own write listener for that, so reporting costs
 * no allocation beyond the access-log entry (when that log is on).
 *
 * <p>Runs entirely on the downstream channel's event loop, which is also the upstream's.
 */
final class ProxyExchange implements ChannelFutureListener {
    private final HttpProxyHandler downstreamHandler;
    private final Channel downstream;
    private final UpstreamConnectionPool pool;
    private final ExchangeSpec spec;
    private final Telemetry telemetry;
    /**
     * The response's last write: the exchange listens to every downstream write it makes (one
     * listener object, no per-write or per-exchange lambda) and tells this one apart.
     */
    private ChannelFuture lastWrite;
    /** Timeline for the access log (System.nanoTime; 0 = not reached); the start is spec.startNanos(). */
    private long connectedNanos;
    private long firstByteNanos;
    private int status;
    /** Response body bytes sent downstream. */
    private long bytes;
    private String outcome;
    private boolean reported;

    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private boolean reused;
    private boolean retried;
    /** Body parts that arrived before the upstream connection was ready. */
    private List<HttpContent> pending;
    private boolean requestComplete;
    private boolean requestBodySent;
    private boolean responseStarted;
    private boolean skippingInterim;
    private boolean upstreamReusable = true;
    private boolean closeDownstreamAfter;
    private boolean done;
    /**
     * An HTTP/2 response that ended with its headers (a gRPC Trailers-Only response), held until
     * its end arrives so that it goes downstream as one HEADERS frame ending the stream: written
     * as headers then an empty end, a gRPC client would miss the status it carries.
     */
    private FullHttpResponse headersOnly;
    /** A gRPC call's status as it went downstream (GrpcStatus.NOT_GRPC for other requests). */
    private int grpcStatus;

    ProxyExchange(HttpProxyHandler downstreamHandler, Channel downstream, UpstreamConnectionPool pool,
                  ExchangeSpec spec, Telemetry telemetry) {
        this.downstreamHandler = downstreamHandler;
        this.downstream = downstream;
        this.pool = pool;
        this.spec = spec;
        this.telemetry = telemetry;
        this.grpcStatus = GrpcStatus.isGrpc(spec.request().headers()) ? GrpcStatus.NONE : GrpcStatus.NOT_GRPC;
    }

    void start() {
        pool.acquire(downstream.eventLoop(), spec.address(), spec.h2cBackend(), this);
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** True while downstream reads must pause: the upstream is not connected or not writable. */
    boolean blocksDownstreamReads() {
        return !requestComplete && (upstream == null || !upstream.isWritable());
    }

    // ---- upstream connection ------------------------------------------------------------------

    void onUpstreamConnected(Channel channel, boolean wasReused) {
        if (done) {
            if (wasReused) {
                pool.release(channel);
            } else {
                channel.close();
            }
            return;
        }
        upstream = channel;
        reused = wasReused;
        connectedNanos = System.nanoTime();
        upstreamHandler = channel.pipeline().get(UpstreamHandler.class);
        upstreamHandler.attach(this);
        channel.config().setAutoRead(true);
        // DefaultHttpRequest is not reference counted, so the same object can be written again
        // when a stale connection forces a retry.
        // Upstream writes use the void promise: a failed write fires exceptionCaught on the
        // upstream pipeline, and UpstreamHandler hands it to onUpstreamClosed as a listener would.
        channel.write(spec.upstreamRequest(), channel.voidPromise());
        if (pending != null) {
            final List<HttpContent> parts = pending;
            pending = null;
            for (HttpContent part : parts) {
                writeUpstream(part);
            }
        }
        channel.flush();
        downstreamHandler.updateAutoRead();
    }

    void onUpstreamConnectFailed(Throwable cause) {
        telemetry.upstreamConnectError(spec.backend());
        if (done) {
            return;
        }
        failBeforeResponse(LocalResponses.forConnectFailure(cause));
    }

    // ---- request body, downstream -> upstream ---------------------------------------------------

    void onRequestContent(HttpContent content) {
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (done) {
            content.release();
            return;
        }
        if (upstream == null) {
            if (pending == null) {
                pending = new ArrayList<>(4);
            }
            pending.add(content);
            return;
        }
        writeUpstream(content);
    }

    private void writeUpstream(HttpContent content) {
        if (content.content().isReadable() || content instanceof LastHttpContent && content != LastHttpContent.EMPTY_LAST_CONTENT) {
            requestBodySent = true;
        }
        upstream.write(content, upstream.voidPromise());
    }

    void flushUpstream() {
        if (upstream != null && !done) {
            upstream.flush();
        }
    }

    void onUpstreamWritabilityChanged() {
        downstreamHandler.updateAutoRead();
    }

    // ---- reporting -------------------------------------------------------------------------------

    /** Reports once {@code written} completes (the response's last write). */
    private void reportWhenWritten(ChannelFuture written, String how) {
        outcome = how;
        lastWrite = written;
        if (written == null) {
            report(how);
        } else if (telemetry.enabled()) {
            written.addListener(this);
        }
    }

    /** A downstream write completed: a failure aborts; the last one also reports. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (future != lastWrite) {
            if (!future.isSuccess()) {
                abort();
            }
            return;
        }
        if (!future.isSuccess()) {
            downstream.close(); // as an abort would: the response is incomplete
        }
        report(future.isSuccess() ? outcome : "aborted");
    }

    private void report(String how) {
        if (reported || !telemetry.enabled()) {
            return;
        }
        reported = true;
        final RequestView r = spec.request();
        telemetry.completed(downstream, spec.http10Client(), spec.startNanos(), r.method(), r.host(), r.uri(),
                spec.route(), spec.backend(), spec.address(), status, bytes, connectedNanos, firstByteNanos, how,
                grpcStatus);
    }

    // ---- response, upstream -> downstream ---------------------------------------------------------

    void onUpstreamResponse(HttpResponse response) {
        if (done) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            upstreamReusable = false;
            failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        final int code = response.status().code();
        if (code == 101) {
            switchProtocols(response);
            return;
        }
        if (code >= 100 && code < 200) {
            // Interim responses (103 Early Hints, a stray 100) are dropped: the downstream side
            // answers Expect: 100-continue itself. The codec follows each with an empty last content.
            skippingInterim = true;
            return;
        }
        responseStarted = true;
        firstByteNanos = System.nanoTime();
        status = code;
        if (!HttpUtil.isKeepAlive(response)) {
            upstreamReusable = false;
        }
        // The decoded response's own headers go downstream (hop-by-hop fields removed in place).
        final HttpHeaders headers = HopByHopHeaders.stripInPlace(response.headers());
        HeaderFilterApplier.apply(spec.responseEdits(), headers);
        final HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
        final boolean bodyless = downstreamHandler.currentIsHead() || code == 204 || code == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (spec.http10Client()) {
                // An HTTP/1.0 client understands no chunked coding: delimit the body by closing.
                closeDownstreamAfter = true;
            } else {
                HttpUtil.setTransferEncodingChunked(out, true);
            }
        }
        if (!spec.downstreamKeepAlive() || downstreamHandler.mustCloseAfterResponse()) {
            closeDownstreamAfter = true;
        }
        if (closeDownstreamAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (spec.http10Client()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (response instanceof FullHttpResponse full && !full.content().isReadable()
                && full.trailingHeaders().isEmpty()) {
            headersOnly = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(), Unpooled.EMPTY_BUFFER,
                    headers, EmptyHttpHeaders.INSTANCE);
            if (grpcStatus != GrpcStatus.NOT_GRPC) {
                grpcStatus = GrpcStatus.read(headers);
            }
            return;
        }
        downstream.write(out).addListener(this);
    }

    /** 101 Switching Protocols: tunnel a WebSocket; any other switch is not ours to accept. */
    private void switchProtocols(HttpResponse response) {
        if (!spec.websocketUpgrade() || !requestComplete) {
            upstreamReusable = false;
            failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        final HttpHeaders headers = HopByHopHeaders.copyEndToEnd(response.headers());
        HeaderFilterApplier.apply(spec.responseEdits(), headers);
        headers.set(HttpHeaderNames.UPGRADE, response.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        done = true;
        status = 101;
        upstreamHandler.detach();
        final Channel tunnelled = upstream;
        upstream = null;
        reportWhenWritten(downstreamHandler.switchToTunnel(this, new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                response.status(), headers), tunnelled), "upgraded");
    }

    void onUpstreamContent(HttpContent content) {
        if (done || !responseStarted) {
            final boolean last = content instanceof LastHttpContent;
            content.release();
            if (last && skippingInterim) {
                skippingInterim = false;
            }
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            upstreamReusable = false;
            abort();
            return;
        }
        bytes += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            // The exchange is complete once this is handed over; the exchange itself listens to the
            // last write (closing the downstream if it failed, and reporting): one listener, no array.
            if (grpcStatus != GrpcStatus.NOT_GRPC && headersOnly == null) {
                grpcStatus = GrpcStatus.read(((LastHttpContent) content).trailingHeaders());
            }
            final ChannelFuture lastWrite;
            if (headersOnly != null) {
                content.release();
                lastWrite = downstream.writeAndFlush(headersOnly);
                headersOnly = null;
            } else {
                lastWrite = downstream.writeAndFlush(content);
            }
            finish(lastWrite);
            return;
        }
        downstream.write(content).addListener(this);
        if (!downstream.isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    void flushDownstream() {
        if (!done) {
            downstream.flush();
        }
    }

    /** Downstream writability changed: resume or pause reading the response. */
    void onDownstreamWritabilityChanged() {
        if (upstream != null && !done && responseStarted) {
            upstream.config().setAutoRead(downstream.isWritable());
        }
    }

    // ---- completion ---------------------------------------------------------------------------

    private void finish(ChannelFuture lastWrite) {
        done = true;
        outcome = "completed";
        this.lastWrite = lastWrite;
        lastWrite.addListener(this);
        releaseUpstream(upstreamReusable && requestComplete);
        if (!requestComplete) {
            // The backend answered before the request body was complete; the rest of the body
            // cannot be told apart from the next request without reading it, so close.
            closeDownstreamAfter = true;
        }
        downstreamHandler.onExchangeFinished(this, closeDownstreamAfter, lastWrite);
    }

    private void releaseUpstream(boolean reusable) {
        if (upstream == null) {
            return;
        }
        upstreamHandler.detach();
        if (reusable) {
            upstream.config().setAutoRead(true);
            pool.release(upstream);
        } else {
            upstream.close();
        }
        upstream = null;
    }

    /**
     * Nothing moved on the upstream connection for the idle timeout: a backend that hangs must not
     * hold the request forever. Before the response this answers 504; after, it aborts.
     */
    void onUpstreamIdle() {
        if (done) {
            return;
        }
        upstreamReusable = false;
        telemetry.upstreamTimeout(spec.backend());
        if (!responseStarted) {
            failBeforeResponse(HttpResponseStatus.GATEWAY_TIMEOUT);
        } else {
            abort();
        }
    }

    /** Upstream reset, closed or failed a write. */
    void onUpstreamClosed(Throwable cause) {
        if (done) {
            return;
        }
        if (!responseStarted) {
            if (reused && spec.retryable() && !retried && !requestBodySent) {
                // A keep-alive connection the backend closed just as we reused it (RFC 9112
                // section 9.3.1 allows retrying idempotent requests): retry once on a new one.
                retried = true;
                upstreamHandler.detach();
                upstream.close();
                upstream = null;
                pool.connect(downstream.eventLoop(), spec.address(), this);
                return;
            }
            failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        abort();
    }

    private void failBeforeResponse(HttpResponseStatus status) {
        done = true;
        this.status = status.code();
        releasePending();
        releaseUpstream(false);
        final ChannelFuture written = downstreamHandler.onExchangeFailed(this, status);
        if (grpcStatus != GrpcStatus.NOT_GRPC) {
            grpcStatus = GrpcStatus.of(status); // answered Trailers-Only (HttpProxyHandler.localAnswer)
        }
        if (written != null) {
            bytes = telemetry.enabled() ? LocalResponses.bodyLength(status) : 0;
            reportWhenWritten(written, "failed");
        }
    }

    /** Gives up on both connections: nothing meaningful can be sent downstream any more. */
    void abort() {
        if (done) {
            return;
        }
        done = true;
        if (!responseStarted) {
            // Nothing was sent: the request body broke, or the client went away mid-upload.
            status = downstream.isActive() ? 400 : 499;
        }
        report("aborted");
        releasePending();
        releaseUpstream(false);
        downstreamHandler.onExchangeAborted(this);
    }

    private void releasePending() {
        if (pending != null) {
            for (HttpContent c : pending) {
                c.release();
            }
            pending = null;
        }
    }

    /** The downstream connection closed. */
    void onDownstreamClosed() {
        if (!done) {
            done = true;
            if (!responseStarted) {
                status = 499; // the client closed the connection before a response (nginx's code)
            }
            report("client-closed");
            releasePending();
            releaseUpstream(false);
        }
    }
}
