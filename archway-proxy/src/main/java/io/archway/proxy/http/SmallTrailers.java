package io.archway.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailers factory for the HTTP/1.1 decoders. The decoder creates a trailers object for every
 * message whose body ends by Content-Length (its {@code DefaultLastHttpContent}), and Netty's
 * default gives each a 16-bucket table that is almost never used; this one starts with 2 buckets
 * and the same (validating) name and value validators as {@link DefaultHttpHeadersFactory#trailersFactory()}.
 */
final class SmallTrailers extends DefaultHttpHeaders {
    private static final DefaultHttpHeadersFactory DEFAULT = DefaultHttpHeadersFactory.trailersFactory();

    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new SmallTrailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return DEFAULT.newEmptyHeaders();
        }
    };

    private SmallTrailers() {
        super(DEFAULT.getNameValidator(), DEFAULT.getValueValidator(), 2);
    }
}
