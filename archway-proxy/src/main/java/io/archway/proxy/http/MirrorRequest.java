package io.archway.proxy.http;

import io.archway.snapshot.BackendOrigin;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of one request, body included, sent to one endpoint of a RequestMirror backend: fire
 * and forget ("responses from that destination are ignored"). Nothing here reaches the client:
 * the mirror's response is read and dropped, its failures end it quietly, and it never slows the
 * routed request (downstream reads never wait for a mirror).
 *
 * <p>Bounded: body parts wait while the mirror connects, and queue in its connection's outbound
 * buffer while its backend reads slowly; past {@link #MAX_BACKLOG_BYTES} either way the mirror is
 * dropped (closed) and counted ({@code TrafficObserver.mirrorDropped}), never buffered further.
 */
final class MirrorRequest implements UpstreamListener {
    /** How much of the body a mirror may hold back (connecting, or behind a slow backend). */
    static final int MAX_BACKLOG_BYTES = 256 * 1024;

    enum State {
        CONNECTING,
        /** The head is written; body parts follow. */
        SENDING,
        /** The whole request is written; the response is being drained. */
        SENT,
        /** Finished, failed, dropped or cancelled. */
        ENDED
    }

    private final UpstreamConnectionPool pool;
    private final EventLoop loop;
    private final UpstreamAddress address;
    private final boolean h2c;
    private final HttpRequest request;
    private final BackendOrigin backend;
    private final Telemetry telemetry;
    private State state = State.CONNECTING;
    private Channel channel;
    private UpstreamHandler handler;
    private List<HttpContent> pending;
    private long pendingBytes;
    private boolean keepAlive = true;

    /** @param upstreamRequest the routed request's head; the mirror sends its own copy */
    MirrorRequest(UpstreamConnectionPool pool, EventLoop loop, CompiledBackend mirror, HttpRequest upstreamRequest,
                  Telemetry telemetry) {
        this.pool = pool;
        this.loop = loop;
        this.address = mirror.nextEndpoint();
        this.h2c = mirror.protocol() == io.archway.snapshot.AppProtocol.H2C;
        this.backend = mirror.backend().origin();
        this.telemetry = telemetry;
        // Its own head: the codec of another connection must never share the routed request's object.
        this.request = new DefaultHttpRequest(upstreamRequest.protocolVersion(), upstreamRequest.method(),
                upstreamRequest.uri(), upstreamRequest.headers().copy());
    }

    void start() {
        pool.acquire(loop, address, h2c, this);
    }

    /** A copy of the next body part (owned by the mirror from now on). */
    void write(HttpContent part) {
        if (state == State.ENDED || state == State.SENT) {
            part.release();
            return;
        }
        if (channel == null) {
            pendingBytes += part.content().readableBytes();
            if (pendingBytes > MAX_BACKLOG_BYTES) {
                part.release();
                drop();
                return;
            }
            if (pending == null) {
                pending = new ArrayList<>(4);
            }
            pending.add(part);
            return;
        }
        // bytesBeforeWritable: how much must drain before the connection is writable again, i.e.
        // how far the mirror's backend lags behind this request's body.
        if (!channel.isWritable() && channel.bytesBeforeWritable() > MAX_BACKLOG_BYTES) {
            part.release();
            drop();
            return;
        }
        send(part);
        channel.flush();
    }

    private void send(HttpContent part) {
        if (part instanceof LastHttpContent) {
            state = State.SENT;
        }
        channel.write(part, channel.voidPromise());
    }

    /** The routed request ended before its body did (client gone, local answer): abandon the copy. */
    void cancelIfIncomplete() {
        if (state == State.CONNECTING || state == State.SENDING) {
            end(false);
        }
    }

    private void drop() {
        telemetry.mirrorDropped(backend);
        end(false);
    }

    @Override
    public void onUpstreamConnected(Channel ch, boolean reused) {
        if (state == State.ENDED) {
            if (reused) {
                pool.release(ch);
            } else {
                ch.close();
            }
            return;
        }
        channel = ch;
        handler = ch.pipeline().get(UpstreamHandler.class);
        handler.attach(this);
        ch.config().setAutoRead(true);
        state = State.SENDING;
        ch.write(request, ch.voidPromise());
        if (pending != null) {
            final List<HttpContent> parts = pending;
            pending = null;
            for (HttpContent part : parts) {
                send(part);
            }
        }
        ch.flush();
    }

    @Override
    public void onUpstreamConnectFailed(Throwable cause) {
        if (state != State.ENDED) {
            telemetry.upstreamConnectError(backend);
            end(false);
        }
    }

    @Override
    public void onUpstreamResponse(HttpResponse response) {
        if (response.decoderResult().isFailure() || !HttpUtil.isKeepAlive(response)) {
            keepAlive = false;
        }
    }

    @Override
    public void onUpstreamContent(HttpContent content) {
        final boolean last = content instanceof LastHttpContent;
        content.release();
        if (last && state != State.ENDED) {
            // Reusable only if the whole request went out first (else its tail is still owed).
            end(state == State.SENT && keepAlive);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        // nothing goes downstream
    }

    @Override
    public void onUpstreamWritabilityChanged() {
        // a mirror never pauses the request it copies; write() drops it when it lags too far
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (state != State.ENDED) {
            end(false);
        }
    }

    @Override
    public void onUpstreamIdle() {
        if (state != State.ENDED) {
            telemetry.upstreamTimeout(backend);
            end(false);
        }
    }

    private void end(boolean reusable) {
        state = State.ENDED;
        if (pending != null) {
            for (HttpContent part : pending) {
                part.release();
            }
            pending = null;
        }
        if (channel == null) {
            return;
        }
        handler.detach();
        if (reusable) {
            pool.release(channel);
        } else {
            channel.close();
        }
        channel = null;
    }
}
