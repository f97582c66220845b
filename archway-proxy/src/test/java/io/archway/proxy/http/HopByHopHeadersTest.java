package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
    @Test
    void dropsHopByHopAndConnectionListedFields() {
        final HttpHeaders in = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Private").add("connection", "x-other")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "x").add("TE", "trailers")
                .add("Trailer", "x").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c")
                .add("X-Private", "p").add("X-Other", "o").add("X-End", "e").add("x-end", "e2")
                .add("Content-Length", "3");
        final HttpHeaders out = HopByHopHeaders.copyEndToEnd(in);
        assertThat(out.size()).isEqualTo(3);
        assertThat(out.get("content-length")).isEqualTo("3");
        assertThat(out.getAll("x-end")).containsExactly("e", "e2");
    }

    @Test
    void stripsInPlaceKeepingEndToEndFieldsInOrder() {
        final HttpHeaders in = new DefaultHttpHeaders()
                .add("Host", "h").add("Connection", "keep-alive, X-Private").add("Keep-Alive", "timeout=5")
                .add("TE", "trailers").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c")
                .add("X-Private", "p").add("x-http2-stream-id", "3").add("X-End", "e").add("x-end", "e2");
        final HttpHeaders out = HopByHopHeaders.stripInPlace(in);
        assertThat(out).isSameAs(in);
        assertThat(out.size()).isEqualTo(3);
        assertThat(out.get("host")).isEqualTo("h");
        assertThat(out.getAll("x-end")).containsExactly("e", "e2");
    }

    @Test
    void connectionCannotNameContentLengthOrHost() {
        // Dropping Content-Length would turn the forwarded body into a second request upstream.
        final HttpHeaders in = new DefaultHttpHeaders()
                .add("Host", "h").add("Connection", "Content-Length, HOST , x-gone").add("X-Gone", "g")
                .add("Content-Length", "3");
        final HttpHeaders out = HopByHopHeaders.stripInPlace(in);
        assertThat(out.names()).containsExactly("Host", "Content-Length");
        assertThat(out.get("host")).isEqualTo("h");
        assertThat(out.get("content-length")).isEqualTo("3");
        final HttpHeaders copy = HopByHopHeaders.copyEndToEnd(new DefaultHttpHeaders()
                .add("Connection", "content-length").add("Content-Length", "5"));
        assertThat(copy.get("content-length")).isEqualTo("5");
    }

    @Test
    void connectionTokensAreTrimmedAndTheUsualOnesListNothing() {
        // Unvalidated: the tokens are trimmed even where a value's own whitespace was not refused.
        assertThat(HopByHopHeaders.connectionTokens(unvalidated().add("Connection", "Keep-Alive"))).isNull();
        assertThat(HopByHopHeaders.connectionTokens(unvalidated().add("Connection", " close ,"))).isNull();
        assertThat(HopByHopHeaders.connectionTokens(unvalidated()
                .add("Connection", ", ,keep-alive,\tX-A ,x-keep-alive").add("Connection", "closer")))
                .containsExactlyInAnyOrder("X-A", "x-keep-alive", "closer");
    }

    private static HttpHeaders unvalidated() {
        return DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
    }
}
