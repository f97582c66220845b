package io.archway.proxy.http;

/**
 * What serves one HTTP/2 stream's request, driven by its {@link Http2StreamCodec} as a pipeline
 * drives a channel's handler: {@link HttpProxyHandler}, the one implementation of the proxy logic
 * for both protocols (tests put a recorder here to see the messages a stream delivers).
 */
interface DownstreamHandler {
    /** Called once, before anything else: the stream this handler serves. */
    void attach(Downstream downstream);

    /** One message of the request (its head, a part of its body, its end), ownership included. */
    void read(Object msg);

    /** The end of the connection's read batch that delivered to this stream. */
    void readComplete();

    void writabilityChanged();

    /** The stream closed (reset by the client, or its connection closed) before its response ended. */
    void closed();
}
