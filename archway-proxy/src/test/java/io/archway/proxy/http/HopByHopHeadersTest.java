package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
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
}
