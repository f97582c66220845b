package io.archway.proxy.http;

import io.archway.proxy.http.h1.FieldLines;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

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
        if (request.headers() instanceof FieldLines fields) {
            // The slice parser's fields are counted on the received bytes, no entry per field.
            final int codings = fields.count(HttpHeaderNames.TRANSFER_ENCODING);
            return validate(request, fields.count(HttpHeaderNames.HOST), fields.count(HttpHeaderNames.CONTENT_LENGTH),
                    codings, codings > 0 ? fields.get(HttpHeaderNames.TRANSFER_ENCODING) : null);
        }
        // One pass over the fields, nothing allocated but the iterator (getAll would build a
        // list per name): how many Host, Content-Length and Transfer-Encoding lines, and the
        // first Transfer-Encoding value.
        int hosts = 0;
        int contentLengths = 0;
        int codings = 0;
        CharSequence coding = null;
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence();
        while (it.hasNext()) {
            final Map.Entry<CharSequence, CharSequence> field = it.next();
            final CharSequence name = field.getKey();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                hosts++;
            } else if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                contentLengths++;
            } else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                if (codings++ == 0) {
                    coding = field.getValue();
                }
            }
        }
        return validate(request, hosts, contentLengths, codings, coding);
    }

    /** The rules, whichever parser counted the fields. */
    private static HttpResponseStatus validate(HttpRequest request, int hosts, int contentLengths, int codings,
                                               CharSequence coding) {
        // RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host
        // header or with more than one.
        if (hosts > 1 || hosts == 0 && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (contentLengths > 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (codings > 0) {
            if (contentLengths > 0) {
                // RFC 9112 section 6.1: Content-Length with Transfer-Encoding is a smuggling attempt.
                return HttpResponseStatus.BAD_REQUEST;
            }
            // Only a single "chunked" is understood; RFC 9112 section 6.1 says a server SHOULD
            // answer 501 to a transfer coding it does not understand.
            if (codings != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(AsciiString.trim(coding))) {
                return HttpResponseStatus.NOT_IMPLEMENTED;
            }
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return HttpResponseStatus.METHOD_NOT_ALLOWED;
        }
        return null;
    }
}
