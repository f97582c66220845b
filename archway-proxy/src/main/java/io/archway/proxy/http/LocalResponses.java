package io.archway.proxy.http;

import io.archway.snapshot.Header;
import io.archway.snapshot.dispatch.CorsFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Responses the proxy answers itself: errors, redirects. */
final class LocalResponses {
    private LocalResponses() {
    }

    static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, boolean close) {
        final byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        final ByteBuf content = alloc.buffer(body.length).writeBytes(body);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** The body length of {@link #of} for {@code status}. */
    static int bodyLength(HttpResponseStatus status) {
        return (status.code() + " " + status.reasonPhrase() + "\n").length();
    }

    static FullHttpResponse redirect(ByteBufAllocator alloc, int status, String location, boolean close) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), alloc.buffer(0));
        response.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * The gateway's answer to a CORS preflight: 204 with {@code headers} (none when the origin is
     * not allowed). No Content-Length: RFC 9110 section 8.6 forbids it on a 204.
     */
    static FullHttpResponse corsPreflight(ByteBufAllocator alloc, List<Header> headers, boolean close) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(CorsFilter.PREFLIGHT_STATUS), alloc.buffer(0));
        for (int i = 0; i < headers.size(); i++) {
            response.headers().add(headers.get(i).name(), headers.get(i).value());
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * The status when the upstream connection could not be made: refused means nothing listens
     * at the endpoint, so the service is unavailable (503); a connect timeout means the upstream
     * did not answer in time (504); anything else is a bad gateway (502).
     */
    static HttpResponseStatus forConnectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return HttpResponseStatus.GATEWAY_TIMEOUT;
        }
        if (cause instanceof ConnectException) {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        return HttpResponseStatus.BAD_GATEWAY;
    }

    /**
     * The status for a request the codec could not decode: 414 for a request line over
     * maxInitialLineLength, 431 for headers over maxHeaderSize (RFC 6585 section 5), else 400 -
     * including a Transfer-Encoding whose final coding is not chunked and Transfer-Encoding in an
     * HTTP/1.0 request (RFC 9112 sections 6.1 and 6.3: the body length cannot be determined).
     */
    static HttpResponseStatus forDecoderFailure(DecoderResult result) {
        final Throwable cause = result.cause();
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
