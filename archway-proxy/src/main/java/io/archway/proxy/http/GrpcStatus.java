package io.archway.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Local answers to gRPC calls. A gRPC client reads the outcome of a call from {@code grpc-status}
 * (gRPC over HTTP2, "Responses"), so the proxy's own answers to a gRPC request are Trailers-Only
 * responses: {@code :status 200}, {@code content-type: application/grpc} and the gRPC status in
 * the only HEADERS frame, which ends the stream. The gRPC status is the one the HTTP status maps to
 * (grpc/doc/http-grpc-status-mapping.md), so a client sees the same code whether it reads the
 * HTTP status or the trailers; the one exception is 500 (no usable backend), which is UNAVAILABLE
 * as GRPCRouteRule.backendRefs requires.
 */
final class GrpcStatus {
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    /** A request that is not a gRPC call (telemetry). */
    static final int NOT_GRPC = -2;
    /** A gRPC call that ended without a status (telemetry). */
    static final int NONE = -1;

    static final int INTERNAL = 13;
    static final int UNIMPLEMENTED = 12;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;
    static final int PERMISSION_DENIED = 7;
    static final int UNKNOWN = 2;

    private GrpcStatus() {
    }

    /** Whether a request is a gRPC call: its content-type is application/grpc or application/grpc+format. */
    static boolean isGrpc(HttpHeaders headers) {
        final String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        // Not application/grpc-web, which is answered over HTTP/1.1 with its own framing.
        return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
    }

    /**
     * The grpc-status of a response's headers or trailers, or {@link #NONE} when absent or not a
     * code (a client treats an unparsable one as UNKNOWN; absent, there is none to count).
     */
    static int read(HttpHeaders headers) {
        final String v = headers.get(GRPC_STATUS);
        if (v == null) {
            return NONE;
        }
        try {
            final int code = Integer.parseInt(v.trim());
            return code >= 0 && code <= 16 ? code : UNKNOWN;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    /** The gRPC status code of a local answer with HTTP status {@code status}. */
    static int of(HttpResponseStatus status) {
        switch (status.code()) {
            case 400:
                return INTERNAL;
            case 401:
                return UNAUTHENTICATED;
            case 403:
                return PERMISSION_DENIED;
            case 404:
                return UNIMPLEMENTED;
            case 429:
            case 500:
            case 502:
            case 503:
            case 504:
                return UNAVAILABLE;
            default:
                return UNKNOWN;
        }
    }

    /** The Trailers-Only answer to a gRPC call that the proxy answers with {@code status}. */
    static FullHttpResponse trailersOnly(HttpResponseStatus status, boolean close) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, of(status))
                // grpc-message is percent-encoded; the reason phrases are plain ASCII without '%'.
                .set(GRPC_MESSAGE, "archway: " + status.code() + " " + status.reasonPhrase())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
