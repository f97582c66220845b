package io.archway.proxy.http;

import io.archway.snapshot.RetryPolicy;
import io.archway.snapshot.RouteTimeouts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
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
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-request router (Envoy's router filter): takes a request once routing picked its rule
 * and backend, and owns everything after that decision - the request timeout, the retry policy
 * with its per-attempt backend timeout, the mirrors, and the response sent downstream. Each try
 * is one {@link UpstreamAttempt}; each mirror one {@link MirrorRequest}.
 *
 * <ul>
 *   <li><b>Request timeout</b> (HTTPRouteTimeouts.request): from the request's headers; once it
 *       passes, whatever attempt or backoff is running is cancelled and the client gets 504 (or,
 *       once the response started, the connection is closed).</li>
 *   <li><b>Backend timeout</b> (backendRequest): per attempt, from its start to its response's last
 *       byte. Before the response head it fails the attempt with 504, which a retry policy retries.</li>
 *   <li><b>Retries</b> (HTTPRouteRetry): on the configured status codes and on connection errors
 *       (refused, reset or closed before the response, backend timeout: "Implementations SHOULD
 *       retry on connection errors"), at most {@code attempts} times, each on the backend's next
 *       endpoint after the backoff (doubling per retry, up to 10 times the configured minimum).
 *       The body is kept in a bounded {@link ReplayBuffer}; once it outgrows it the request is no
 *       longer retried. The last attempt's answer goes to the client as it is.</li>
 *   <li><b>Mirrors</b> (RequestMirror, rule then backendRef): each sampled per request, then fed
 *       a copy of the head and of every body part; nothing they do reaches the client.</li>
 * </ul>
 *
 * <p>Without a retry policy a request with no body whose reused keep-alive connection closed
 * before any response is sent once more on a fresh connection (RFC 9112 section 9.3.1).
 *
 * <p>Reporting: once the response's last byte is written (or the request ends without one) it
 * reports itself to the {@link Telemetry} exactly once. Runs on the downstream channel's event
 * loop, which is also every upstream's.
 */
final class HttpRouter implements ChannelFutureListener {
    /** How much request body is kept for a retry (Envoy keeps its connection buffer, 1 MiB). */
    static final int REPLAY_BUFFER_BYTES = 64 * 1024;
    /** The longest backoff, as a multiple of the configured minimum. */
    private static final int MAX_BACKOFF_FACTOR = 10;

    enum Phase {
        /** An attempt is running and no response went downstream yet. */
        ATTEMPTING,
        /** Waiting out the backoff before the next attempt. */
        BACKING_OFF,
        /** An attempt's response is going downstream. */
        RESPONDING,
        /** Finished, failed or aborted. */
        DONE
    }

    enum RequestBody {
        RECEIVING,
        COMPLETE
    }

    private final HttpProxyHandler downstreamHandler;
    private final Downstream downstream;
    private final UpstreamConnectionPool pool;
    private final ExchangeSpec spec;
    private final Telemetry telemetry;
    private final RetryPolicy retry;

    private Phase phase = Phase.ATTEMPTING;
    private RequestBody body = RequestBody.RECEIVING;
    private UpstreamAttempt attempt;
    /** The endpoint of the latest attempt (the access log's). */
    private UpstreamAddress endpoint;
    private int retriesDone;
    /** The free retry after a stale keep-alive connection (RFC 9112 9.3.1) was used. */
    private boolean staleRetried;
    /** Null without a retry policy (nothing is kept then). */
    private ReplayBuffer replay;
    private List<MirrorRequest> mirrors;
    private ScheduledFuture<?> requestTimer;
    private ScheduledFuture<?> attemptTimer;
    private ScheduledFuture<?> backoffTimer;
    /** The status the last failed attempt would have answered (used if the retry cannot happen). */
    private HttpResponseStatus lastFailure;

    /** The response's last write, the one downstream write the router listens to. */
    private ChannelFuture lastWrite;
    private long connectedNanos;
    private long firstByteNanos;
    private int status;
    private long bytes;
    private String outcome;
    private boolean reported;
    private boolean closeDownstreamAfter;
    /**
     * The response head, held until the first part of the body or the end of the backend's read
     * batch, whichever comes first (it was not flushed before either). A body that arrived with its
     * head goes out as one message: on HTTP/1.1 one buffer when the body fits the head's (one write,
     * one promise, one buffer to release instead of two); on HTTP/2 a response that ended with its
     * headers (a gRPC Trailers-Only response, which arrives as one message) is one HEADERS frame
     * ending the stream, as it must be: written as headers then an empty end, a gRPC client would
     * miss the status it carries.
     */
    private HttpResponse heldHead;
    /** A gRPC call's status as it went downstream (GrpcStatus.NOT_GRPC for other requests). */
    private int grpcStatus;

    HttpRouter(HttpProxyHandler downstreamHandler, Downstream downstream, UpstreamConnectionPool pool,
               ExchangeSpec spec, Telemetry telemetry) {
        this.downstreamHandler = downstreamHandler;
        this.downstream = downstream;
        this.pool = pool;
        this.spec = spec;
        this.telemetry = telemetry;
        // A WebSocket handshake becomes a tunnel: neither retried nor mirrored.
        this.retry = spec.websocketUpgrade() ? null : spec.retry();
        this.grpcStatus = GrpcStatus.isGrpc(spec.request().headers()) ? GrpcStatus.NONE : GrpcStatus.NOT_GRPC;
    }

    void start() {
        final RouteTimeouts timeouts = spec.timeouts();
        if (RouteTimeouts.enabled(timeouts.request())) {
            requestTimer = schedule(this::onRequestTimeout, timeouts.request());
        }
        if (retry != null && retry.attempts() > 0) {
            replay = new ReplayBuffer(REPLAY_BUFFER_BYTES);
        }
        if (!spec.websocketUpgrade()) {
            startMirrors(spec.ruleMirrors());
            startMirrors(spec.backend().mirrors());
        }
        startAttempt(spec.address(), false);
    }

    private void startMirrors(List<CompiledMirror> configured) {
        for (int i = 0; i < configured.size(); i++) {
            final CompiledMirror m = configured.get(i);
            if (!m.sample() || !m.backend().hasEndpoints()) {
                continue;
            }
            if (mirrors == null) {
                mirrors = new ArrayList<>(2);
            }
            final MirrorRequest mirror = new MirrorRequest(pool, downstream.eventLoop(), m.backend(),
                    spec.upstreamRequest(), telemetry);
            mirrors.add(mirror);
            mirror.start();
        }
    }

    private void startAttempt(UpstreamAddress address, boolean fresh) {
        phase = Phase.ATTEMPTING;
        endpoint = address;
        attempt = new UpstreamAttempt(this, pool, downstream.eventLoop(), address, spec.h2cBackend(),
                spec.upstreamRequest());
        if (retriesDone > 0 || staleRetried) {
            if (replay != null) {
                replay.replayInto(attempt);
            } else if (body == RequestBody.COMPLETE) {
                // A bodyless request tried again on a fresh connection: its end goes again too
                // (an HTTP/2 stream ends with it).
                attempt.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
        final Duration backendTimeout = spec.timeouts().backendRequest();
        if (RouteTimeouts.enabled(backendTimeout)) {
            final UpstreamAttempt timed = attempt;
            attemptTimer = schedule(() -> onAttemptTimeout(timed), backendTimeout);
        }
        if (fresh) {
            attempt.startFresh();
        } else {
            attempt.start();
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration after) {
        return downstream.eventLoop().schedule(task, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- what the downstream handler asks ----------------------------------------------------------

    boolean requestComplete() {
        return body == RequestBody.COMPLETE;
    }

    /** True while downstream reads must pause: no attempt is connected and writable. */
    boolean blocksDownstreamReads() {
        return body == RequestBody.RECEIVING && (attempt == null || !attempt.writable());
    }

    // ---- request body, downstream -> upstream ---------------------------------------------------

    void onRequestContent(HttpContent content) {
        if (content instanceof LastHttpContent) {
            body = RequestBody.COMPLETE;
        }
        if (phase == Phase.DONE) {
            content.release();
            return;
        }
        if (mirrors != null) {
            for (int i = 0; i < mirrors.size(); i++) {
                mirrors.get(i).write(content.retainedDuplicate());
            }
        }
        if (replay != null) {
            replay.keep(content);
        }
        if (attempt != null) {
            attempt.write(content);
            return;
        }
        // Backing off: the part is in the replay buffer, unless it just outgrew it - then the next
        // attempt could not send the whole body, and the last failure stands.
        content.release();
        if (replay.state() == ReplayBuffer.State.OVERFLOWED) {
            failBeforeResponse(lastFailure);
        }
    }

    void flushUpstream() {
        if (attempt != null && phase != Phase.DONE) {
            attempt.flush();
        }
    }

    // ---- attempt callbacks -----------------------------------------------------------------------

    void onAttemptConnected(UpstreamAttempt connected) {
        if (connected != attempt) {
            return;
        }
        if (connectedNanos == 0 && telemetry.timesSteps()) {
            connectedNanos = System.nanoTime();
        }
        downstreamHandler.updateAutoRead();
    }

    void onAttemptWritabilityChanged() {
        downstreamHandler.updateAutoRead();
    }

    /**
     * The attempt failed before or during its response: refused / connect timeout (503 / 504),
     * reset or closed, an undecodable response (502), and after the response started an abort.
     */
    void onAttemptFailed(UpstreamAttempt failed, HttpResponseStatus failure, boolean connectFailure) {
        if (failed != attempt || phase == Phase.DONE) {
            return;
        }
        if (connectFailure) {
            telemetry.upstreamConnectError(spec.backendOrigin());
        }
        if (phase == Phase.RESPONDING) {
            abort();
            return;
        }
        if (!connectFailure && failed.reused() && !staleRetried && retriesDone == 0 && spec.bodyless()
                && !spec.websocketUpgrade()) {
            // A keep-alive connection the backend closed just as we reused it: once more on a new one.
            staleRetried = true;
            endAttempt();
            startAttempt(failed.address(), true);
            return;
        }
        retryOrFail(failure);
    }

    /** The pool's idle timeout passed with the attempt silent. */
    void onAttemptIdle(UpstreamAttempt idle) {
        onAttemptTimeout(idle);
    }

    /** The attempt's backendRequest timeout (or the idle timeout) passed. */
    private void onAttemptTimeout(UpstreamAttempt timedOut) {
        if (timedOut != attempt || phase == Phase.DONE) {
            return;
        }
        telemetry.upstreamTimeout(spec.backendOrigin());
        if (phase == Phase.RESPONDING) {
            abort();
            return;
        }
        retryOrFail(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    /** The request timeout passed: 504 before the response, an abort after. */
    private void onRequestTimeout() {
        if (phase == Phase.DONE) {
            return;
        }
        telemetry.upstreamTimeout(spec.backendOrigin());
        if (phase == Phase.RESPONDING) {
            abort();
        } else {
            failBeforeResponse(HttpResponseStatus.GATEWAY_TIMEOUT);
        }
    }

    private boolean canRetry() {
        return retry != null && retriesDone < retry.attempts() && replay.state() == ReplayBuffer.State.KEEPING
                && downstream.isActive();
    }

    private void retryOrFail(HttpResponseStatus failure) {
        if (canRetry()) {
            scheduleRetry(failure);
        } else {
            failBeforeResponse(failure);
        }
    }

    /** Ends the current attempt and tries again after the backoff, on the backend's next endpoint. */
    private void scheduleRetry(HttpResponseStatus failure) {
        endAttempt();
        retriesDone++;
        lastFailure = failure;
        phase = Phase.BACKING_OFF;
        telemetry.upstreamRetry(spec.backendOrigin());
        final long factor = Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(30, retriesDone - 1));
        backoffTimer = schedule(this::retryNow, retry.backoff().multipliedBy(factor));
        downstreamHandler.updateAutoRead();
    }

    private void retryNow() {
        backoffTimer = null;
        if (phase != Phase.BACKING_OFF) {
            return;
        }
        startAttempt(spec.backend().nextEndpoint(), false);
        downstreamHandler.updateAutoRead();
    }

    private void endAttempt() {
        cancel(attemptTimer);
        attemptTimer = null;
        if (attempt != null) {
            attempt.cancel();
            attempt = null;
        }
    }

    // ---- response, upstream -> downstream ---------------------------------------------------------

    void onResponseHead(UpstreamAttempt from, HttpResponse response) {
        if (from != attempt || phase != Phase.ATTEMPTING) {
            return;
        }
        final int code = response.status().code();
        if (code == 101) {
            switchProtocols(response);
            return;
        }
        if (retry != null && retry.retriesStatus(code) && canRetry()) {
            scheduleRetry(response.status());
            return;
        }
        phase = Phase.RESPONDING;
        if (replay != null) {
            replay.release(); // committed: no retry can follow
        }
        if (telemetry.timesSteps()) {
            firstByteNanos = System.nanoTime();
        }
        status = code;
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
        if (grpcStatus != GrpcStatus.NOT_GRPC && response instanceof FullHttpResponse full
                && !full.content().isReadable() && full.trailingHeaders().isEmpty()) {
            grpcStatus = GrpcStatus.read(headers); // Trailers-Only: the status is in the headers
        }
        heldHead = out;
    }

    /** Writes the held head, if any, before what follows it downstream. */
    private void writeHeldHead() {
        if (heldHead != null) {
            // The void promise: a failed write ends the exchange through the downstream's close
            // (onDownstreamClosed); no promise and listener per write.
            downstream.write(heldHead, downstream.voidPromise());
            heldHead = null;
        }
    }

    /** 101 Switching Protocols: tunnel a WebSocket; any other switch is not ours to accept. */
    private void switchProtocols(HttpResponse response) {
        if (!spec.websocketUpgrade() || body != RequestBody.COMPLETE) {
            failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        final HttpHeaders headers = HopByHopHeaders.copyEndToEnd(response.headers());
        HeaderFilterApplier.apply(spec.responseEdits(), headers);
        headers.set(HttpHeaderNames.UPGRADE, response.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        phase = Phase.DONE;
        status = 101;
        cancelTimers();
        final Channel tunnelled = attempt.detachForTunnel();
        attempt = null;
        reportWhenWritten(downstreamHandler.switchToTunnel(this, new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                response.status(), headers), tunnelled), "upgraded");
    }

    void onResponseContent(UpstreamAttempt from, HttpContent content) {
        if (from != attempt || phase != Phase.RESPONDING) {
            content.release();
            return;
        }
        bytes += content.content().readableBytes();
        if (content instanceof LastHttpContent last) {
            // The router itself listens to the last write (closing the downstream if it failed,
            // and reporting): one listener, no array.
            if (grpcStatus != GrpcStatus.NOT_GRPC && !last.trailingHeaders().isEmpty()) {
                grpcStatus = GrpcStatus.read(last.trailingHeaders());
            }
            if (heldHead != null) {
                final HttpResponse head = heldHead;
                heldHead = null;
                finish(downstream.writeAndFlush(new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                        last.content(), head.headers(), last.trailingHeaders())));
                return;
            }
            finish(downstream.writeAndFlush(content));
            return;
        }
        writeHeldHead();
        downstream.write(content, downstream.voidPromise()); // a failure ends the exchange as the head's does
        if (!downstream.isWritable()) {
            attempt.readResponse(false);
        }
    }

    void flushDownstream() {
        if (phase == Phase.RESPONDING) {
            writeHeldHead();
            downstream.flush();
        }
    }

    /** Downstream writability changed: resume or pause reading the response. */
    void onDownstreamWritabilityChanged() {
        if (attempt != null && phase == Phase.RESPONDING) {
            attempt.readResponse(downstream.isWritable());
        }
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

    /**
     * The response's last downstream write completed: reports (the writes before it go with the void
     * promise, a failure closing the connection through the downstream handler's exceptionCaught).
     */
    @Override
    public void operationComplete(ChannelFuture future) {
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
                spec.route(), spec.backendOrigin(), endpoint, status, bytes, connectedNanos, firstByteNanos, how,
                grpcStatus);
    }

    // ---- completion ---------------------------------------------------------------------------

    private void finish(ChannelFuture last) {
        phase = Phase.DONE;
        outcome = "completed";
        lastWrite = last;
        last.addListener(this);
        cancelTimers();
        attempt.finish();
        attempt = null;
        if (body != RequestBody.COMPLETE) {
            // The backend answered before the request body was complete; the rest of the body
            // cannot be told apart from the next request without reading it, so close.
            closeDownstreamAfter = true;
        }
        endMirrorsIfIncomplete();
        downstreamHandler.onExchangeFinished(this, closeDownstreamAfter, last);
    }

    private void failBeforeResponse(HttpResponseStatus failure) {
        phase = Phase.DONE;
        status = failure.code();
        release();
        final ChannelFuture written = downstreamHandler.onExchangeFailed(this, failure);
        if (grpcStatus != GrpcStatus.NOT_GRPC) {
            grpcStatus = GrpcStatus.of(failure); // answered Trailers-Only (HttpProxyHandler.localAnswer)
        }
        if (written != null) {
            // A gRPC call's answer is Trailers-Only: no body.
            bytes = telemetry.enabled() && grpcStatus == GrpcStatus.NOT_GRPC ? LocalResponses.bodyLength(failure) : 0;
            reportWhenWritten(written, "failed");
        }
    }

    /** Gives up on both connections: nothing meaningful can be sent downstream any more. */
    void abort() {
        if (phase == Phase.DONE) {
            return;
        }
        final boolean responseStarted = phase == Phase.RESPONDING;
        phase = Phase.DONE;
        if (!responseStarted) {
            // Nothing was sent: the request body broke, or the client went away mid-upload.
            status = downstream.isActive() ? 400 : 499;
        }
        report("aborted");
        release();
        downstreamHandler.onExchangeAborted(this);
    }

    /** The downstream connection closed. */
    void onDownstreamClosed() {
        if (phase == Phase.DONE) {
            return;
        }
        if (phase != Phase.RESPONDING) {
            status = 499; // the client closed the connection before a response (nginx's code)
        }
        phase = Phase.DONE;
        report("client-closed");
        release();
    }

    /** Cancels timers, the replay copy, the attempt, and any mirror still missing body. */
    private void release() {
        heldHead = null; // never flushed: the connection closes, as it would have with the head written
        cancelTimers();
        if (replay != null) {
            replay.release();
        }
        if (attempt != null) {
            attempt.cancel();
            attempt = null;
        }
        endMirrorsIfIncomplete();
    }

    /** A mirror that will never get the rest of the body (the router stops reading it) is dropped. */
    private void endMirrorsIfIncomplete() {
        if (mirrors != null && body != RequestBody.COMPLETE) {
            for (int i = 0; i < mirrors.size(); i++) {
                mirrors.get(i).cancelIfIncomplete();
            }
        }
    }

    private void cancelTimers() {
        cancel(requestTimer);
        cancel(attemptTimer);
        cancel(backoffTimer);
        requestTimer = null;
        attemptTimer = null;
        backoffTimer = null;
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
