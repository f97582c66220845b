package io.archway.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What owns an upstream connection while it carries one request: an {@link UpstreamAttempt} of
 * a routed request or a {@link MirrorRequest}. The {@link UpstreamConnectionPool} hands it the
 * connection; the connection's {@link UpstreamHandler} hands it what the backend sends. All calls
 * come on the connection's event loop, which is the downstream connection's too.
 */
interface UpstreamListener {
    /** A connection is ready ({@code reused}: taken idle from the pool rather than just opened). */
    void onUpstreamConnected(Channel channel, boolean reused);

    /** No connection could be made (refused, connect timeout, unreachable). */
    void onUpstreamConnectFailed(Throwable cause);

    /** The response head (an interim 1xx included). */
    void onUpstreamResponse(HttpResponse response);

    /** A part of the response body; the listener owns (releases) it. */
    void onUpstreamContent(HttpContent content);

    /** The backend's read batch ended. */
    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged();

    /** The connection was reset, closed, or failed a write ({@code cause} may be null). */
    void onUpstreamClosed(Throwable cause);

    /** Nothing moved on the connection for the pool's idle timeout. */
    void onUpstreamIdle();
}
