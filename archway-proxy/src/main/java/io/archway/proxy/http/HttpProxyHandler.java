package io.archway.proxy.http;

import io.archway.proxy.http.h1.Http1ClientCodec;
import io.archway.proxy.http.h1.Http1ServerCodec;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.Hostnames;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.WeightedBackend;
import io.archway.snapshot.dispatch.CorsFilter;
import io.archway.snapshot.dispatch.RouteDecision;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream end of the proxy: validates each decoded request, routes it on the snapshot
 * current when its headers arrived, answers locally (404, redirects, 4xx/5xx) or hands it to a
 * {@link HttpRouter}. One exchange at a time per connection; pipelined requests wait in a
 * small queue (reading pauses when it fills).
 *
 * <p>Every request is reported to the {@link Telemetry} once its response's last byte is written:
 * local answers here, proxied ones by their {@link HttpRouter}.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements DownstreamHandler {
    private static final int MAX_QUEUED = 32;
    /** The SNI name a TLS connection was opened with; set by the pipeline once SNI is read. */
    public static final AttributeKey<String> SNI_HOSTNAME = AttributeKey.valueOf("archway.sni.hostname");

    private final PortRoutes port;
    private final UpstreamConnectionPool pool;
    private final boolean tunnelsAllowed;
    private final Telemetry telemetry;
    /** Body length of the last local answer written (read right after by a failing exchange). */
    private int lastLocalBodyBytes;
    /** Pipelined requests waiting for the current exchange; created by the first (an HTTP/2 stream has none). */
    private ArrayDeque<Object> queued;
    /** The connection, or the HTTP/2 stream, this handler serves. */
    private Downstream downstream;
    /** An HTTP/1.1 connection's pipeline position (the switch to a tunnel); null for an HTTP/2 stream. */
    private ChannelHandlerContext ctx;
    /** The client's address in X-Forwarded-For form; formatted once per connection. */
    private String clientIp;
    private HttpRouter exchange;
    private boolean currentIsHead;
    /** The current request is a gRPC call: local answers are Trailers-Only gRPC responses. */
    private boolean currentIsGrpc;
    /** Reading the body of a request that was answered locally, until its last content. */
    private boolean discarding;
    /** The connection closes once the current response is written. */
    private boolean closing;
    /** Asked to drain (port removed or its protocol changed): close after the current response. */
    private boolean drainRequested;

    public HttpProxyHandler(PortRoutes port, UpstreamConnectionPool pool) {
        this(port, pool, true);
    }

    /**
     * @param tunnelsAllowed whether a WebSocket upgrade may turn this connection into a tunnel
     *     (HTTP/1.1 connections only; an HTTP/2 stream cannot be upgraded)
     */
    public HttpProxyHandler(PortRoutes port, UpstreamConnectionPool pool, boolean tunnelsAllowed) {
        this(port, pool, tunnelsAllowed, Telemetry.NONE);
    }

    /** @param telemetry where finished requests and upstream failures are reported */
    public HttpProxyHandler(PortRoutes port, UpstreamConnectionPool pool, boolean tunnelsAllowed, Telemetry telemetry) {
        this.port = port;
        this.pool = pool;
        this.tunnelsAllowed = tunnelsAllowed;
        this.telemetry = telemetry;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        attach(new ChannelDownstream(ctx));
    }

    /** Serves {@code downstream}: an HTTP/1.1 connection once its handler is added, or an HTTP/2 stream. */
    @Override
    public void attach(Downstream downstream) {
        this.downstream = downstream;
        this.clientIp = downstream.clientIp();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        read(msg);
    }

    /** One decoded message of the request: its head, a part of its body, its end. */
    @Override
    public void read(Object msg) {
        if (queuedCount() > 0 || !handle(msg)) {
            // HTTP/1.1 pipelining: requests are answered in order, one at a time.
            if (queued == null) {
                queued = new ArrayDeque<>(4);
            }
            queued.add(msg);
        }
        updateAutoRead();
    }

    /** Processes {@code msg} unless it has to wait for the current exchange; returns false then. */
    private boolean handle(Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return true;
        }
        if (exchange != null) {
            if (exchange.requestComplete()) {
                return false;
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    // A broken chunked body: the backend has a partial request; give up on both.
                    content.release();
                    exchange.abort();
                    return true;
                }
                exchange.onRequestContent(content);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return true;
        }
        dispatch(msg);
        return true;
    }

    private void dispatch(Object msg) {
        if (discarding) {
            if (msg instanceof LastHttpContent) {
                discarding = false;
            }
            if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
                closing = true;
                downstream.close();
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            try {
                answerContinue(request);
                onRequest(request);
                if (msg instanceof FullHttpRequest full && exchange != null && !full.decoderResult().isFailure()) {
                    // HTTP/2 streams deliver a request that ends with its headers as one message.
                    exchange.onRequestContent(new DefaultLastHttpContent(full.content().retain(),
                            full.trailingHeaders()));
                }
            } finally {
                // An invalid message from the codec is a FullHttpRequest that owns a buffer.
                ReferenceCountUtil.release(request);
            }
            if (msg instanceof LastHttpContent && discarding) {
                discarding = false;
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /**
     * {@code Expect: 100-continue} on HTTP/1.1 (RFC 9110 section 10.1.1): answers 100 Continue so the
     * client sends the body, and drops the expectation (the backend never sees it), as Netty's
     * {@code HttpServerExpectContinueHandler} did in its own pipeline step. Answered when the request
     * is dispatched, so a pipelined request's 100 never lands inside the response before it. HTTP/2
     * streams get theirs from {@link Http2StreamCodec}, which removes the field.
     */
    private void answerContinue(HttpRequest request) {
        if (HttpUtil.is100ContinueExpected(request)) {
            downstream.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
    }

    private void onRequest(HttpRequest request) {
        final long start = System.nanoTime();
        if (request.decoderResult().isFailure()) {
            final HttpResponseStatus status = LocalResponses.forDecoderFailure(request.decoderResult());
            reportLocal(sendLocalAndClose(status), request, start, null, null, status.code());
            return;
        }
        final HttpResponseStatus invalid = RequestValidator.validate(request);
        if (invalid != null) {
            reportLocal(sendLocalAndClose(invalid), request, start, null, null, invalid.code());
            return;
        }
        currentIsHead = HttpMethod.HEAD.equals(request.method());
        currentIsGrpc = GrpcStatus.isGrpc(request.headers());
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final RequestTarget target = RequestTarget.parse(request);
        if (target == null) {
            reportLocal(sendLocalAndClose(HttpResponseStatus.BAD_REQUEST), request, start, null, null, 400);
            return;
        }
        final RouteIndex routes = port.current(); // read once: this request keeps it to the end
        final RequestView view = new RequestView(request.method().name(), target.pathAndQuery(),
                Hostnames.normalizeHost(target.authority()), request.headers());
        // The one decision explain reports too (CompiledPort.decide).
        final RouteDecision<CompiledRoute> decision = routes == null ? RouteDecision.notFound()
                : routes.decide(view, routes.isHttps() ? downstream.sniHostname() : null);
        if (decision instanceof RouteDecision.Proxy<CompiledRoute> proxy) {
            proxy(request, view, target, routes, proxy, keepAlive, start);
            return;
        }
        if (decision instanceof RouteDecision.Redirect<CompiledRoute> redirect) {
            sendRedirect(redirect, request, view, start, keepAlive);
            return;
        }
        if (decision instanceof RouteDecision.CorsPreflight<CompiledRoute> preflight) {
            // HTTPCORSFilter: the gateway answers a preflight itself; it never reaches a backend.
            final boolean close = !keepAlive || mustCloseAfterResponse();
            reportLocal(writeLocal(LocalResponses.corsPreflight(downstream.alloc(), preflight.headers(view), close),
                    close),
                    request, view, start, preflight.entry().origin(), null, preflight.status());
            return;
        }
        // 404, 421, 500 (no backend, or an invalid one picked), 503 (no endpoints).
        RouteOrigin origin = null;
        BackendOrigin backend = null;
        if (decision instanceof RouteDecision.Routed<CompiledRoute> routed) {
            origin = routed.entry().origin();
            backend = routed.backend() == null ? null : routed.backend().origin();
        }
        reportLocal(sendLocal(HttpResponseStatus.valueOf(decision.status()), keepAlive), request, view, start, origin,
                backend, decision.status());
    }

    private void proxy(HttpRequest request, RequestView view, RequestTarget target, RouteIndex routes,
                       RouteDecision.Proxy<CompiledRoute> decision, boolean keepAlive, long start) {
        final CompiledRoute route = decision.route();
        final CompiledBackend backend = route.backend(decision.backendIndex());
        final RouteOrigin origin = route.entry().origin();
        final UpstreamAddress address = backend.nextEndpoint();
        final boolean websocket = tunnelsAllowed && backend.protocol() != AppProtocol.H2C
                && UpstreamRequestBuilder.isWebSocketUpgrade(request);
        // Before build: it strips Transfer-Encoding and the other hop-by-hop fields from these headers.
        final boolean hasBody = HttpUtil.isContentLengthSet(request) ? HttpUtil.getContentLength(request, 0L) > 0
                : HttpUtil.isTransferEncodingChunked(request);
        final HttpRequest upstreamRequest = UpstreamRequestBuilder.build(request, view, target, route, backend,
                routes.scheme(), clientIp, address, websocket);
        final List<HeaderEdits> routeEdits = route.filters().responseEditsThen(backend.filters());
        final CorsFilter cors = route.filters().cors();
        // HTTPCORSFilter on an actual request: its response headers after the ResponseHeaderModifiers.
        final List<HeaderEdits> responseEdits = cors == null ? routeEdits
                : FilterChain.then(routeEdits, cors.responseEdits(CorsFilter.origin(view)));
        exchange = new HttpRouter(this, downstream, pool, new ExchangeSpec(origin, backend, view, start,
                address, upstreamRequest, responseEdits, keepAlive,
                request.protocolVersion().equals(HttpVersion.HTTP_1_0), !hasBody, websocket,
                route.entry().timeouts(), route.entry().retry(), route.mirrors()), telemetry);
        exchange.start();
        updateAutoRead();
    }

    private void sendRedirect(RouteDecision.Redirect<CompiledRoute> redirect, HttpRequest request, RequestView view,
                              long start, boolean keepAlive) {
        final String location = redirect.location(view);
        final int code = redirect.status();
        final boolean close = !keepAlive || mustCloseAfterResponse();
        final FullHttpResponse response = LocalResponses.redirect(downstream.alloc(), code, location, close);
        final CorsFilter cors = redirect.route().filters().cors();
        if (cors != null) {
            // A browser follows a cross-origin redirect only with the CORS headers (Fetch, "CORS check").
            HeaderFilterApplier.apply(cors.responseEdits(CorsFilter.origin(view)), response.headers());
        }
        final ChannelFuture written = writeLocal(response, close);
        final WeightedBackend backend = redirect.backend();
        reportLocal(written, request, view, start, redirect.entry().origin(), backend == null ? null : backend.origin(),
                code);
    }

    private ChannelFuture sendLocal(HttpResponseStatus status, boolean keepAlive) {
        final boolean close = !keepAlive || mustCloseAfterResponse();
        return writeLocal(localAnswer(status, close), close);
    }

    /** The proxy's own answer with {@code status}: Trailers-Only for a gRPC call. */
    private FullHttpResponse localAnswer(HttpResponseStatus status, boolean close) {
        return currentIsGrpc ? GrpcStatus.trailersOnly(status, close)
                : LocalResponses.of(downstream.alloc(), status, close);
    }

    private ChannelFuture sendLocalAndClose(HttpResponseStatus status) {
        return writeLocal(LocalResponses.of(downstream.alloc(), status, true), true);
    }

    private ChannelFuture writeLocal(FullHttpResponse response, boolean close) {
        // The request body (if any) is still to come: read and drop it so the next request on
        // this connection starts at the right byte.
        discarding = true;
        lastLocalBodyBytes = response.content().readableBytes();
        if (close) {
            closing = true;
            final ChannelFuture written = downstream.writeAndFlush(response);
            downstream.closeAfter(written);
            return written;
        }
        return downstream.writeAndFlush(response);
    }

    /** A request rejected before routing: reported with the request line as received. */
    private void reportLocal(ChannelFuture written, HttpRequest request, long start, RouteOrigin route,
                             BackendOrigin backend, int status) {
        if (telemetry.enabled()) {
            written.addListener(new LocalAnswer(telemetry, downstream, request.protocolVersion() == HttpVersion.HTTP_1_0,
                    start, request.method().name(), request.headers().get(HttpHeaderNames.HOST), request.uri(), route,
                    backend, status, lastLocalBodyBytes, GrpcStatus.NOT_GRPC));
        }
    }

    private void reportLocal(ChannelFuture written, HttpRequest request, RequestView view, long start,
                             RouteOrigin route, BackendOrigin backend, int status) {
        if (telemetry.enabled()) {
            written.addListener(new LocalAnswer(telemetry, downstream, request.protocolVersion() == HttpVersion.HTTP_1_0,
                    start, view.method(), view.host(), view.uri(), route, backend, status, lastLocalBodyBytes,
                    currentIsGrpc ? GrpcStatus.of(HttpResponseStatus.valueOf(status)) : GrpcStatus.NOT_GRPC));
        }
    }

    /** Reports a local answer once it is written. */
    private record LocalAnswer(Telemetry telemetry, Downstream downstream, boolean http10, long start, String method,
                               String host, String path, RouteOrigin route, BackendOrigin backend, int status,
                               long bytes, int grpcStatus) implements ChannelFutureListener {
        @Override
        public void operationComplete(ChannelFuture future) {
            telemetry.completed(downstream, http10, start, method, host, path, route, backend, null, status, bytes, 0, 0,
                    future.isSuccess() ? "local" : "aborted", grpcStatus);
        }
    }

    // ---- callbacks from HttpRouter -----------------------------------------------------------

    boolean currentIsHead() {
        return currentIsHead;
    }

    boolean mustCloseAfterResponse() {
        return closing || drainRequested || port.draining();
    }

    void onExchangeFinished(HttpRouter finished, boolean closeAfter, ChannelFuture lastWrite) {
        if (finished != exchange) {
            return;
        }
        exchange = null;
        if (closeAfter) {
            // Close once the response is on the wire (closing earlier could drop its tail).
            closing = true;
            downstream.closeAfter(lastWrite);
            return;
        }
        drainQueue();
        if (drainRequested && !closing && exchange == null && queuedCount() == 0) {
            // The drain came after this response's head went out keep-alive; idle now, so close
            // once the response is on the wire (drain() left the connection to this moment). A
            // pipelined request answered locally above is closing already, after its own answer.
            closing = true;
            downstream.closeAfter(lastWrite);
        }
    }

    /**
     * The backend accepted a WebSocket upgrade: sends its 101 and turns both connections into a
     * byte tunnel. Replacing this handler before removing the codec hands any bytes the codec
     * still holds to the tunnel, in order.
     */
    ChannelFuture switchToTunnel(HttpRouter finished, HttpResponse switching, Channel upstream) {
        exchange = null;
        final ChannelFuture written = ctx.writeAndFlush(switching);
        final ChannelPipeline pipeline = ctx.pipeline();
        final ChannelPipeline up = upstream.pipeline();
        up.replace(UpstreamHandler.class, "tunnel", new TunnelHandler(ctx.channel()));
        Http1ClientCodec.remove(up);
        pipeline.replace(this, "tunnel", new TunnelHandler(upstream));
        Http1ServerCodec.remove(pipeline);
        upstream.config().setAutoRead(true);
        ctx.channel().config().setAutoRead(true);
        releaseQueued();
        return written;
    }

    /** Answers {@code status} for a failed exchange; returns the write, or null when not answered. */
    ChannelFuture onExchangeFailed(HttpRouter failed, HttpResponseStatus status) {
        if (failed != exchange) {
            return null;
        }
        final boolean requestComplete = failed.requestComplete();
        exchange = null;
        // If the request body is still arriving, discard the rest of it after answering.
        final boolean close = mustCloseAfterResponse();
        final ChannelFuture written = writeLocal(localAnswer(status, close), close);
        if (requestComplete) {
            discarding = false;
        }
        if (!close) {
            drainQueue();
        }
        return written;
    }

    void onExchangeAborted(HttpRouter aborted) {
        if (aborted == exchange) {
            exchange = null;
        }
        closing = true;
        downstream.close();
    }

    private void drainQueue() {
        Object msg;
        // Poll before handling: handling may finish an exchange and re-enter this method.
        while ((msg = queued != null ? queued.poll() : null) != null) {
            if (!handle(msg)) {
                queued.addFirst(msg);
                break;
            }
        }
        updateAutoRead();
    }

    private int queuedCount() {
        return queued == null ? 0 : queued.size();
    }

    private void releaseQueued() {
        Object msg;
        while ((msg = queued != null ? queued.poll() : null) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    void updateAutoRead() {
        final boolean read = !closing && queuedCount() < MAX_QUEUED
                && (exchange == null || !exchange.blocksDownstreamReads());
        if (downstream.isAutoRead() != read) {
            downstream.setAutoRead(read);
        }
    }

    /**
     * Close now if idle, otherwise after the current response: sent with Connection: close if its
     * head is still to be written, closed after its end if the head already went out keep-alive.
     */
    public void drain() {
        drainRequested = true;
        if (exchange == null && queuedCount() == 0) {
            closing = true;
            downstream.close();
        }
    }

    // ---- events (a channel's for HTTP/1.1; an HTTP/2 stream's from its Http2StreamCodec) ----------

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete();
        ctx.fireChannelReadComplete();
    }

    /** The end of a batch of reads: what the exchange sent upstream goes out in one flush. */
    @Override
    public void readComplete() {
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void writabilityChanged() {
        if (exchange != null) {
            exchange.onDownstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed();
        ctx.fireChannelInactive();
    }

    /** The connection or stream closed: the exchange ends, queued requests are dropped. */
    @Override
    public void closed() {
        if (exchange != null) {
            exchange.onDownstreamClosed();
            exchange = null;
        }
        releaseQueued();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS handshake failures, resets: nothing to answer; free the upstream side.
        ctx.close();
    }
}
