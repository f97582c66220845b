package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/**
 * The rules {@link RequestValidator} adds to the decoder's, on requests built directly (as an
 * HTTP/2 stream delivers them, where no HTTP/1.1 decoder ran first).
 */
class RequestValidatorTest {
    private static HttpResponseStatus validate(HttpVersion version, HttpMethod method, String... fields) {
        final HttpRequest r = new DefaultHttpRequest(version, method, "/", DefaultHttpHeadersFactory.headersFactory()
                .withValidation(false));
        for (int i = 0; i < fields.length; i += 2) {
            r.headers().add(fields[i], fields[i + 1]);
        }
        return RequestValidator.validate(r);
    }

    private static HttpResponseStatus validate(String... fields) {
        return validate(HttpVersion.HTTP_1_1, HttpMethod.POST, fields);
    }

    @Test
    void oneHostOnHttp11() {
        assertThat(validate("Host", "a")).isNull();
        assertThat(validate()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(validate("Host", "a", "HOST", "b")).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(validate(HttpVersion.HTTP_1_0, HttpMethod.GET)).isNull();
        assertThat(validate(HttpVersion.HTTP_1_0, HttpMethod.GET, "host", "a", "host", "a"))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    @Test
    void contentLengthAndTransferEncodingFraming() {
        assertThat(validate("host", "a", "content-length", "3")).isNull();
        assertThat(validate("host", "a", "Content-Length", "3", "content-length", "3"))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(validate("host", "a", "Transfer-Encoding", "chunked", "Content-Length", "3"))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(validate("host", "a", "transfer-encoding", " Chunked ")).isNull();
        assertThat(validate("host", "a", "Transfer-Encoding", "gzip, chunked"))
                .isEqualTo(HttpResponseStatus.NOT_IMPLEMENTED);
        assertThat(validate("host", "a", "Transfer-Encoding", "chunked", "TRANSFER-ENCODING", "chunked"))
                .isEqualTo(HttpResponseStatus.NOT_IMPLEMENTED);
        assertThat(validate("host", "a", "Transfer-Encoding", "")).isEqualTo(HttpResponseStatus.NOT_IMPLEMENTED);
    }

    @Test
    void connectIsNotProxied() {
        assertThat(validate(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "host", "a:443"))
                .isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
    }
}
