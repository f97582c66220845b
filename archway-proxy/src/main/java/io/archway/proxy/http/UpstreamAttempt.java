package io.archway.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * One try of a routed request on one upstream connection (Envoy's UpstreamRequest): connects (or
 * reuses a pooled connection), sends the request head and body, and hands the response to its
 * {@link HttpRouter}, which decides whether the response goes downstream or the request is tried
 * again. It never writes downstream itself.
 *
 * <p>Its progress is two explicit states: how far the request went ({@link RequestState}) and
 * how far the response came ({@link ResponseState}). The connection goes back to the pool only
 * when both ended cleanly on a keep-alive connection.
 */
final class UpstreamAttempt implements UpstreamListener {
    enum RequestState {
        /** Waiting for a connection; body parts queue (downstream reads pause meanwhile). */
        CONNECTING,
        /** The head is written; body parts follow as they arrive. */
        SENDING,
        /** The last body part is written. */
        SENT
    }

    enum ResponseState {
        /** Nothing received yet. */
        AWAITING,
        /** Inside an interim (1xx) response, which is dropped. */
        INTERIM,
        /** The head went to the router; body parts follow. */
        STREAMING,
        /** The last body part arrived. */
        COMPLETE,
        /** The router gave up on this attempt (retry, timeout, failure): nothing more is delivered. */
        CANCELLED
    }

    private final HttpRouter router;
    private final UpstreamConnectionPool pool;
    private final EventLoop loop;
    private final UpstreamAddress address;
    private final boolean h2c;
    private final HttpRequest request;
    private RequestState requestState = RequestState.CONNECTING;
    private ResponseState responseState = ResponseState.AWAITING;
    private Channel channel;
    private UpstreamHandler handler;
    private boolean reused;
    /** Whether the backend allows the connection to carry another request after this one. */
    private boolean keepAlive = true;
    /** Body parts that arrived before the connection was ready. */
    private List<HttpContent> pending;

    UpstreamAttempt(HttpRouter router, UpstreamConnectionPool pool, EventLoop loop, UpstreamAddress address,
                    boolean h2c, HttpRequest request) {
        this.router = router;
        this.pool = pool;
        this.loop = loop;
        this.address = address;
        this.h2c = h2c;
        this.request = request;
    }

    /** Takes a pooled connection or opens one. */
    void start() {
        pool.acquire(loop, address, h2c, this);
    }

    /** Opens a fresh connection, bypassing idle ones (after a stale keep-alive connection). */
    void startFresh() {
        pool.connect(loop, address, this);
    }

    UpstreamAddress address() {
        return address;
    }

    RequestState requestState() {
        return requestState;
    }

    ResponseState responseState() {
        return responseState;
    }

    boolean reused() {
        return reused;
    }

    /** Whether the connection can take more body now (false while connecting). */
    boolean writable() {
        return channel != null && channel.isWritable();
    }

    Channel channel() {
        return channel;
    }

    // ---- request ---------------------------------------------------------------------------------

    @Override
    public void onUpstreamConnected(Channel ch, boolean wasReused) {
        if (responseState == ResponseState.CANCELLED) {
            if (wasReused) {
                pool.release(ch);
            } else {
                ch.close();
            }
            return;
        }
        channel = ch;
        reused = wasReused;
        handler = ch.pipeline().get(UpstreamHandler.class);
        handler.attach(this);
        ch.config().setAutoRead(true);
        requestState = RequestState.SENDING;
        // DefaultHttpRequest is not reference counted and is never changed, so a retry writes the
        // same object again. Upstream writes use the void promise: a failed write fires
        // exceptionCaught, which the UpstreamHandler hands to onUpstreamClosed.
        ch.write(request, ch.voidPromise());
        if (pending != null) {
            final List<HttpContent> parts = pending;
            pending = null;
            for (HttpContent part : parts) {
                write(part);
            }
        }
        ch.flush();
        router.onAttemptConnected(this);
    }

    @Override
    public void onUpstreamConnectFailed(Throwable cause) {
        if (responseState == ResponseState.CANCELLED) {
            return;
        }
        router.onAttemptFailed(this, LocalResponses.forConnectFailure(cause), true);
    }

    /** Sends a body part (owned by this attempt from now on). */
    void write(HttpContent part) {
        if (responseState == ResponseState.CANCELLED || requestState == RequestState.SENT) {
            part.release();
            return;
        }
        if (channel == null) {
            if (pending == null) {
                pending = new ArrayList<>(4);
            }
            // Downstream reads pause while connecting, so this holds at most one read's worth.
            pending.add(part);
            return;
        }
        if (part instanceof LastHttpContent) {
            requestState = RequestState.SENT;
        }
        channel.write(part, channel.voidPromise());
    }

    void flush() {
        if (channel != null && responseState != ResponseState.CANCELLED) {
            channel.flush();
        }
    }

    /** Pauses or resumes reading the response (downstream backpressure). */
    void readResponse(boolean read) {
        if (channel != null && responseState == ResponseState.STREAMING) {
            channel.config().setAutoRead(read);
        }
    }

    // ---- response --------------------------------------------------------------------------------

    @Override
    public void onUpstreamResponse(HttpResponse response) {
        if (responseState == ResponseState.CANCELLED) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            keepAlive = false;
            router.onAttemptFailed(this, HttpResponseStatus.BAD_GATEWAY, false);
            return;
        }
        final int code = response.status().code();
        if (code >= 100 && code < 200 && code != 101) {
            // Interim responses (103 Early Hints, a stray 100) are dropped: the downstream side
            // answers Expect: 100-continue itself. The codec follows each with an empty last content.
            responseState = ResponseState.INTERIM;
            return;
        }
        if (!HttpUtil.isKeepAlive(response)) {
            keepAlive = false;
        }
        responseState = ResponseState.STREAMING;
        router.onResponseHead(this, response);
    }

    @Override
    public void onUpstreamContent(HttpContent content) {
        if (responseState != ResponseState.STREAMING) {
            if (responseState == ResponseState.INTERIM && content instanceof LastHttpContent) {
                responseState = ResponseState.AWAITING;
            }
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            keepAlive = false;
            router.onAttemptFailed(this, HttpResponseStatus.BAD_GATEWAY, false);
            return;
        }
        if (content instanceof LastHttpContent) {
            responseState = ResponseState.COMPLETE;
        }
        router.onResponseContent(this, content);
    }

    @Override
    public void onUpstreamReadComplete() {
        if (responseState == ResponseState.STREAMING || responseState == ResponseState.COMPLETE) {
            router.flushDownstream();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged() {
        router.onAttemptWritabilityChanged();
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (responseState == ResponseState.CANCELLED || responseState == ResponseState.COMPLETE) {
            return;
        }
        keepAlive = false;
        router.onAttemptFailed(this, HttpResponseStatus.BAD_GATEWAY, false);
    }

    @Override
    public void onUpstreamIdle() {
        if (responseState == ResponseState.CANCELLED || responseState == ResponseState.COMPLETE) {
            return;
        }
        keepAlive = false;
        router.onAttemptIdle(this);
    }

    // ---- ending ----------------------------------------------------------------------------------

    /**
     * The router is done with this attempt: the connection returns to the pool when request and
     * response both ended on a keep-alive connection, else it closes.
     */
    void finish() {
        final boolean reusable = keepAlive && requestState == RequestState.SENT
                && responseState == ResponseState.COMPLETE;
        responseState = ResponseState.CANCELLED;
        releasePending();
        if (channel == null) {
            return;
        }
        handler.detach();
        if (reusable) {
            channel.config().setAutoRead(true);
            pool.release(channel);
        } else {
            channel.close();
        }
        channel = null;
    }

    /** Gives up on this attempt: the connection (if any) closes, a pending connect is discarded. */
    void cancel() {
        keepAlive = false;
        finish();
    }

    /**
     * A 101: hands the connection over for a tunnel. The attempt lets go of it without closing.
     */
    Channel detachForTunnel() {
        responseState = ResponseState.CANCELLED;
        handler.detach();
        final Channel ch = channel;
        channel = null;
        return ch;
    }

    private void releasePending() {
        if (pending != null) {
            for (HttpContent part : pending) {
                part.release();
            }
            pending = null;
        }
    }
}
