package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Checks a decoded request before it is routed. The codec (configured for RFC 9112 transfer
 * coding rules) already rejects Content-Length together with Transfer-Encoding and conflicting
 * Content-Length values; this adds the rules it leaves to the application. Anything rejected
 * here never reaches a backend, and the connection closes after the answer (request smuggling:
 * the framing of whatever follows cannot be trusted).
 */
final class RequestValidator {
    private RequestValidator() {
    }

    /** Null when the request is acceptable, else the status to answer with. */
    static HttpResponseStatus validate(HttpRequest request) {
        final var headers = request.headers();
        final List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        // RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host
        // header or with more than one.
        if (hosts.size() > 1 || hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        final List<String> contentLengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (contentLengths.size() > 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        final List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty()) {
            if (!contentLengths.isEmpty()) {
                // RFC 9112 section 6.1: Content-Length with Transfer-Encoding is a smuggling attempt.
                return HttpResponseStatus.BAD_REQUEST;
            }
            // Only a single "chunked" is understood; RFC 9112 section 6.1 says a server SHOULD
            // answer 501 to a transfer coding it does not understand.
            if (codings.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0).trim())) {
                return HttpResponseStatus.NOT_IMPLEMENTED;
            }
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return HttpResponseStatus.METHOD_NOT_ALLOWED;
        }
        return null;
    }
}
